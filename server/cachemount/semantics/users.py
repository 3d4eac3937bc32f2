"""Who runs a RUN: a passwd/group model fed by official-image defaults and by the
useradd/adduser/groupadd/addgroup commands seen in the stage lineage.

Allocation when no uid is given follows shadow-utils and busybox defaults: regular users get the
next uid >= 1000 above the highest known one (so `useradd -m app` in `node:*`, where `node` is
1000, gets 1001); system users (`-r`, `--system`, busybox `-S`) get an unknown uid (allocation
depends on the image's existing system accounts), and we say so instead of guessing."""
from __future__ import annotations

from ..records import Record, field
from ..shell.model import SimpleCommand
from .userinfo import UserInfo

UID_MIN = 1000


class Passwd(Record, frozen=False):
    users: dict[str, tuple[int | None, int | None, str | None]] = field(default_factory=dict)
    groups: dict[str, int | None] = field(default_factory=dict)
    homes_made: set[str] = field(default_factory=set)   # users whose home dir is known to exist

    def copy(self) -> "Passwd":
        return Passwd(dict(self.users), dict(self.groups), set(self.homes_made))

    def _next_uid(self) -> int:
        known = [u for u, _, _ in self.users.values() if u is not None and UID_MIN <= u < 60000]
        known += [g for g in self.groups.values() if g is not None and UID_MIN <= g < 60000]
        return max(known, default=UID_MIN - 1) + 1

    def by_uid(self, uid: int) -> tuple[str, tuple[int | None, int | None, str | None]] | None:
        for name, rec in self.users.items():
            if rec[0] == uid:
                return name, rec
        return None

    def apply(self, cmd: SimpleCommand) -> None:
        name = cmd.name
        args = [w.text for w in cmd.args]
        if name in ("groupadd", "addgroup"):
            self._groupadd(args, busybox=name == "addgroup")
        elif name == "useradd":
            self._useradd(args)
        elif name == "adduser":
            self._adduser(args)

    def _groupadd(self, args: list[str], busybox: bool) -> None:
        gid: int | None = None
        system = False
        positionals = []
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("-g", "--gid") and i + 1 < len(args):
                gid = _int(args[i + 1])
                i += 2
                continue
            if a.startswith("--gid="):
                gid = _int(a.split("=", 1)[1])
            elif a in ("-r", "--system", "-S"):
                system = True
            elif not a.startswith("-"):
                positionals.append(a)
            i += 1
        if not positionals:
            return
        group = positionals[-1] if not busybox or len(positionals) == 1 else positionals[-1]
        if busybox and len(positionals) == 2:  # `addgroup user group` adds a member
            return
        if gid is None and not system:
            gid = self._next_uid()
        self.groups[group] = gid

    def _useradd(self, args: list[str]) -> None:
        uid = None
        home = None
        system = False
        no_user_group = False
        create_home = False
        group_name = None
        name = None
        i = 0
        with_value = {"-u", "--uid", "-g", "--gid", "-d", "--home-dir", "--home", "-s", "--shell", "-c",
                      "--comment", "-G", "--groups", "-k", "--skel", "-b", "--base-dir", "-e", "-f", "-K", "-p"}
        while i < len(args):
            a = args[i]
            key, eq, val = a.partition("=")
            if a.startswith("--") and eq:
                a = key
            elif a in with_value and i + 1 < len(args):
                val = args[i + 1]
                i += 1
            if a in ("-u", "--uid"):
                uid = _int(val)
            elif a in ("-g", "--gid"):
                group_name = val
            elif a in ("-d", "--home-dir", "--home"):
                home = val
            elif a in ("-r", "--system"):
                system = True
            elif a in ("-N", "--no-user-group"):
                no_user_group = True
            elif a in ("-m", "--create-home"):
                create_home = True
            elif not a.startswith("-") and a not in with_value:
                name = a
            i += 1
        if not name:
            return
        self._add(name, uid, group_name, home, system, no_user_group)
        if create_home:
            self.homes_made.add(name)

    def _adduser(self, args: list[str]) -> None:
        # Debian adduser (--uid, --gid, --home, --system, --disabled-password, --gecos X, --ingroup G)
        # and busybox adduser (-u UID, -G GROUP, -h HOME, -D, -S, -H).
        uid = None
        home = None
        group_name = None
        system = False
        positionals = []
        with_value = {"-u", "--uid", "-G", "--ingroup", "-g", "--gecos", "-h", "--home", "-s", "--shell",
                      "--gid", "-k", "--firstuid", "--lastuid", "--comment"}
        i = 0
        while i < len(args):
            a = args[i]
            key, eq, val = a.partition("=")
            if a.startswith("--") and eq:
                a = key
            elif a in with_value and i + 1 < len(args):
                val = args[i + 1]
                i += 1
            if a in ("-u", "--uid"):
                uid = _int(val)
            elif a in ("-G", "--ingroup"):
                group_name = val
            elif a == "--gid":
                group_name = val
            elif a in ("-h", "--home"):
                home = val
            elif a in ("-S", "--system"):
                system = True
            elif not a.startswith("-") and a not in with_value:
                positionals.append(a)
            i += 1
        if not positionals:
            return
        if len(positionals) >= 2 and positionals[0] in self.users:
            return  # `adduser user group` adds a member
        name = positionals[0]
        if system and home is None:
            home = "/nonexistent" if "--system" in args else f"/home/{name}"
        self._add(name, uid, group_name, home, system, False)
        # Debian's adduser and busybox's make the home unless told not to (system users: no home)
        if not system and not {"-H", "--no-create-home"} & set(args):
            self.homes_made.add(name)

    def _add(self, name, uid, group_name, home, system, no_user_group) -> None:
        if uid is None and not system:
            uid = self._next_uid()
        gid: int | None
        if group_name is not None:
            gid = _int(group_name)
            if gid is None:
                gid = self.groups.get(group_name)
        elif no_user_group:
            gid = 100
        else:
            gid = self.groups.get(name, uid)
            self.groups.setdefault(name, gid)
        self.users[name] = (uid, gid, home or f"/home/{name}")


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def resolve_user(spec: str, passwd: Passwd, source: str = "") -> UserInfo:
    """`USER spec` -> UserInfo. spec is `name`, `uid`, `name:group` or `uid:gid`, already expanded."""
    name_part, _, group_part = spec.partition(":")
    gid_override = None
    if group_part:
        gid_override = _int(group_part)
        if gid_override is None:
            gid_override = passwd.groups.get(group_part)
    uid = _int(name_part)
    if uid is not None:
        found = passwd.by_uid(uid)
        if found:
            name, (u, g, home) = found
            return UserInfo(spec, name, uid, gid_override if group_part else g, home, source,
                            name in passwd.homes_made)
        if uid == 0:
            return UserInfo(spec, "root", 0, gid_override if group_part else 0, "/root", source)
        # No passwd entry: the runtime sets HOME=/ [unverified: runc behaviour]; we report unknown.
        return UserInfo(spec, None, uid, gid_override if group_part else uid, None, source)
    if name_part == "root":
        return UserInfo(spec, "root", 0, gid_override if group_part else 0, "/root", source)
    rec = passwd.users.get(name_part)
    if rec is None:
        return UserInfo(spec, name_part, None, gid_override, None, source)
    u, g, home = rec
    return UserInfo(spec, name_part, u, gid_override if group_part else g, home, source,
                    name_part in passwd.homes_made)
