"""Who a RUN runs as: the effective user after USER, useradd/adduser and base-image defaults."""
from __future__ import annotations

from ..records import Record


class UserInfo(Record):
    """`spec` is what USER said (or 'root' by default). uid/gid/home are None when they cannot
    be known (then messages say so instead of guessing)."""

    spec: str = "root"
    name: str | None = "root"
    uid: int | None = 0
    gid: int | None = 0
    home: str | None = "/root"
    source: str = "default"  # where the facts came from: 'default', 'useradd L12', 'image node', ...
    home_made: bool = True   # the home dir is known to exist (useradd -m, adduser, the image's users)

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    def describe(self) -> str:
        """'USER app (uid 1001)' style text for messages."""
        who = f"USER {self.spec}"
        if self.uid is not None and not self.spec.isdigit():
            who += f" (uid {self.uid})"
        return who


ROOT = UserInfo()
