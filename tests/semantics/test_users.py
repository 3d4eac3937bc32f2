"""The passwd model: useradd/adduser/groupadd flags, allocation, USER resolution."""
import pytest

from cachemount.shell.model import SimpleCommand, Word
from cachemount.semantics.users import Passwd, resolve_user


def cmd(line):
    words = tuple(Word(w, 0, 0) for w in line.split())
    return SimpleCommand(words)


def db(*lines, users=None):
    p = Passwd(users={"root": (0, 0, "/root"), **(users or {})}, groups={"root": 0})
    for line in lines:
        p.apply(cmd(line))
    return p


@pytest.mark.parametrize("lines, spec, expected", [
    (["useradd -m -u 1001 app"], "app", ("app", 1001, 1001, "/home/app")),
    (["useradd --uid=1500 --home-dir /srv/app app"], "app", ("app", 1500, 1500, "/srv/app")),
    (["useradd -u 1001 -d /opt/app -m app"], "app:app", ("app", 1001, 1001, "/opt/app")),
    (["groupadd -g 2000 grp", "useradd -u 1001 -g grp app"], "app", ("app", 1001, 2000, "/home/app")),
    (["groupadd --system --gid 999 nonroot", "useradd --system --gid 999 --uid 999 --create-home nonroot"],
     "nonroot", ("nonroot", 999, 999, "/home/nonroot")),
    (["useradd -m app"], "app", ("app", 1000, 1000, "/home/app")),           # first regular uid
    (["adduser -D nonroot"], "nonroot", ("nonroot", 1000, 1000, "/home/nonroot")),  # busybox
    (["addgroup -S grp", "adduser -D -u 1234 -G grp -h /app appuser"], "appuser", ("appuser", 1234, None, "/app")),
    (["adduser --disabled-password --gecos '' --uid 1001 app"], "app", ("app", 1001, 1001, "/home/app")),
    (["useradd -m app"], "1000", ("app", 1000, 1000, "/home/app")),
    (["useradd -m app"], "1000:1000", ("app", 1000, 1000, "/home/app")),
    ([], "root", ("root", 0, 0, "/root")),
    ([], "0", ("root", 0, 0, "/root")),
])
def test_users(lines, spec, expected):
    u = resolve_user(spec, db(*lines))
    assert (u.name, u.uid, u.gid, u.home) == expected


def test_next_uid_after_image_user():
    # node images have node:1000, so the next `useradd -m redash` gets 1001
    p = db("useradd -m -d /frontend redash", users={"node": (1000, 1000, "/home/node")})
    u = resolve_user("redash", p)
    assert (u.uid, u.home) == (1001, "/frontend")


def test_system_user_without_uid_is_unknown():
    u = resolve_user("svc", db("useradd -r svc"))
    assert u.uid is None and u.name == "svc"


def test_unknown_users_say_so():
    u = resolve_user("1001", db())
    assert u.uid == 1001 and u.home is None and u.name is None
    u = resolve_user("ghost", db())
    assert u.uid is None and u.home is None
