"""Build state along each stage lineage: ARG/ENV values, USER, WORKDIR, the passwd model and
the base image, for every instruction. `FROM <stage>` inherits all of it from that stage."""
from __future__ import annotations

import bisect
import posixpath
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping, Sequence

from ..records import Record, replace
from . import base_images as images
from ..document.expand import expand, split_words
from ..knowledge.images import UNWRITABLE_HOMES
from ..document.model import Document, Instruction
from ..limits import LimitExceeded
from ..shell.model import SimpleCommand
from .userinfo import UserInfo
from .users import Passwd, resolve_user


class Lineage(Sequence[int]):
    """Indices of earlier instructions in a stage lineage, oldest first, as a persistent list:
    each instruction's lineage is its predecessor's plus one node, so building one per instruction
    is O(1) (a tuple each was quadratic: 8,000 RUNs took 27 s). Iterating is O(length)."""

    __slots__ = ("_prev", "_last", "_len")
    _prev: "Lineage | None"
    _last: int
    _len: int

    def __init__(self, prev: "Lineage | None" = None, last: int = -1) -> None:
        self._prev = prev
        self._last = last
        self._len = prev._len + 1 if prev is not None else 0

    def then(self, index: int) -> "Lineage":
        return Lineage(self, index)

    @property
    def last(self) -> int | None:
        return self._last if self._len else None

    def __len__(self) -> int:
        return self._len

    def __reversed__(self) -> Iterator[int]:
        node = self
        while node._len:
            yield node._last
            node = node._prev  # type: ignore[assignment]

    def __iter__(self) -> Iterator[int]:
        items = list(reversed(self))
        items.reverse()
        return iter(items)

    def __getitem__(self, i):
        return tuple(self)[i]

    def __contains__(self, value: object) -> bool:
        return any(value == i for i in reversed(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Lineage, tuple, list)):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Lineage{tuple(self)!r}"


EMPTY_LINEAGE = Lineage()


class _EnvLog:
    """The ARG/ENV changes along a stage (and the first stage built FROM it, and so on), in order.
    An instruction's values are a position in it, made into a dict only when read: a dict per
    instruction was quadratic in files of many ARG/ENV lines. Every dict made is kept as a
    checkpoint, so a read replays only the changes since the nearest earlier one."""

    __slots__ = ("changes", "_points", "_dicts")

    def __init__(self, start: dict[str, str]) -> None:
        self.changes: list[tuple[str, str | None]] = []   # (name, value), None: unset
        self._points = [0]
        self._dicts = [start]   # never changed once made

    def values_at(self, upto: int) -> dict[str, str]:
        k = bisect.bisect_right(self._points, upto) - 1
        at, values = self._points[k], self._dicts[k]
        if at == upto:
            return values
        values = dict(values)
        for name, value in self.changes[at:upto]:
            if value is None:
                values.pop(name, None)
            else:
                values[name] = value
        self._points.insert(k + 1, upto)
        self._dicts.insert(k + 1, values)
        return values


class _EnvAt:
    """ARG/ENV values in force at one instruction: a position in a log, made a dict on first use."""

    __slots__ = ("_log", "_upto", "_values")

    def __init__(self, log: _EnvLog, upto: int) -> None:
        self._log = log
        self._upto = upto
        self._values: dict[str, str] | None = None

    def get(self) -> dict[str, str]:
        if self._values is None:
            self._values = self._log.values_at(self._upto)
        return self._values

    def __eq__(self, other: object) -> bool:
        return self.get() == other.get() if isinstance(other, _EnvAt) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.get())


class RunContext(Record):
    env_at: _EnvAt           # see `env`
    user: UserInfo
    workdir: str
    base: str | None         # expanded image of the lineage's first FROM (None if unknown)
    os_family: str | None    # 'debian', 'ubuntu', 'alpine', 'fedora', 'rhel', 'suse', 'windows', None
    stage: int
    lineage: Lineage         # indices of earlier instructions in this stage lineage, oldest first

    @property
    def env(self) -> dict[str, str]:
        """ARG and ENV values in force (unknown values are absent). Shared: read it, copy it to
        change it."""
        return self.env_at.get()


class _State(Record, frozen=False):
    env: dict[str, str]       # the values now; changed only through set_env/unset_env
    user: UserInfo
    workdir: str
    passwd: Passwd
    base: str | None
    os_family: str | None
    lineage: Lineage = EMPTY_LINEAGE
    log: _EnvLog = None  # type: ignore[assignment]  # built from `env` in __post_init__
    handed_over: bool = False  # a child stage took over `env` and `log`
    final: int = 0             # position in `log` at the end of the stage (once handed over)
    _view: _EnvAt | None = None

    def __post_init__(self) -> None:
        if self.log is None:
            self.log = _EnvLog(dict(self.env))

    def view(self) -> _EnvAt:
        """The values now, for a context (consecutive contexts without a change share one)."""
        upto = len(self.log.changes)
        if self._view is None or self._view._upto != upto:
            self._view = _EnvAt(self.log, upto)
        return self._view

    def set_env(self, name: str, value: str) -> None:
        if self.env.get(name) != value:
            self.env[name] = value
            self.log.changes.append((name, value))

    def unset_env(self, name: str) -> None:
        if name in self.env:
            del self.env[name]
            self.log.changes.append((name, None))

    def child(self) -> "_State":
        """The state a stage `FROM` this one starts with. The first such stage takes over the
        values and their log (no copy: chains of stages stay linear); later ones rebuild them."""
        if not self.handed_over:
            self.handed_over, self.final = True, len(self.log.changes)
            return _State(self.env, self.user, self.workdir, self.passwd.copy(), self.base,
                          self.os_family, self.lineage, self.log)
        values = self.log.values_at(self.final)
        return _State(dict(values), self.user, self.workdir, self.passwd.copy(), self.base,
                      self.os_family, self.lineage, _EnvLog(values))


def global_args(doc: Document) -> dict[str, str]:
    """ARG defaults declared before the first FROM."""
    args: dict[str, str] = {}
    for instr in doc.instructions:
        if instr.stage >= 0:
            break
        if instr.keyword == "ARG":
            try:
                for name, value in _arg_decls(instr, args):
                    if value is not None:
                        args[name] = value
            except LimitExceeded as exc:
                raise LimitExceeded(f"line {instr.line + 1}: {exc}") from None
    return args


def stage_parents(doc: Document, args: Mapping[str, str] | None = None) -> list[int | None]:
    """For each stage, the earlier stage it is built FROM (by name, after ARG expansion), or None."""
    if args is None:
        args = global_args(doc)
    out: list[int | None] = []
    named: dict[str, int] = {}   # name -> latest earlier stage of that name
    for stage in doc.stages:
        out.append(_parent_of(doc, stage, args, named))
        if stage.name:
            named[stage.name] = stage.index
    return out


def _parent_of(doc: Document, stage, args: Mapping[str, str], named: Mapping[str, int]) -> int | None:
    if stage.parent is not None:
        return stage.parent
    ref = expand(stage.base, args, doc.escape)
    return named.get(ref.lower()) if ref is not None else None


def lineage_stages(parents: list[int | None], stage: int) -> list[int]:
    """The stage and its ancestors, oldest first."""
    chain = []
    seen: set[int] = set()
    current: int | None = stage
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parents[current]
    return chain[::-1]


def build_contexts(doc: Document, commands_of: Callable[[Instruction], list[SimpleCommand]],
                   stages: set[int] | None = None) -> dict[int, RunContext]:
    """Context for every instruction (by index) of the given stages (default: all), plus their
    ancestors, which the state is built from."""
    args = global_args(doc)
    out: dict[int, RunContext] = {}
    finals: dict[int, _State] = {}
    wanted: set[int] | None = None
    if stages is not None:
        parents = stage_parents(doc, args)
        wanted = set()
        for wanted_stage in stages:  # each ancestor once: linear on long chains of stages
            current: int | None = wanted_stage
            while current is not None and current not in wanted:
                wanted.add(current)
                current = parents[current]
    named: dict[str, int] = {}
    for stage in doc.stages:
        skip = wanted is not None and stage.index not in wanted
        if not skip:
            instr = stage.from_instruction
            try:
                state = _stage_start(doc, stage, args, finals, named)
                for instr in stage.instructions:
                    out[instr.index] = RunContext(state.view(), state.user, state.workdir, state.base,
                                                  state.os_family, stage.index, state.lineage)
                    _step(state, instr, args, commands_of)
                    state.lineage = state.lineage.then(instr.index)
            except LimitExceeded as exc:
                raise LimitExceeded(f"line {instr.line + 1}: {exc}") from None
            finals[stage.index] = state
        if stage.name:
            named[stage.name] = stage.index
    return out


def _stage_start(doc: Document, stage, global_args: Mapping[str, str], finals: dict[int, _State],
                 named: Mapping[str, int]) -> _State:
    ref = expand(stage.base, global_args, doc.escape)
    parent = stage.parent
    if parent is None and ref is not None:
        parent = named.get(ref.lower())
    if parent is not None and parent in finals:
        return finals[parent].child()
    passwd = Passwd(users={"root": (0, 0, "/root")}, groups={"root": 0})
    env: dict[str, str] = {}
    user = UserInfo(source="default")
    family = None
    if ref:
        defaults = images.image_defaults(ref)
        family = images.os_family(ref)
        if defaults is not None:
            env.update(dict(defaults.env))
            for name, uid, gid, home in defaults.users:
                passwd.users[name] = (uid, gid, home)
                passwd.groups.setdefault(name, gid)
                if home not in UNWRITABLE_HOMES:   # system accounts: no home of their own to write in
                    passwd.homes_made.add(name)   # the official image made it
            if defaults.user:
                spec = expand(defaults.user, env) or defaults.user
                user = resolve_user(spec, passwd, f"default user of {ref}")
    return _State(env, user, "/", passwd, ref, family)


def _arg_decls(instr: Instruction, scope: Mapping[str, str]):
    for word in split_words(instr.args):
        name, eq, default = word.partition("=")
        yield name, (expand(default, scope) if eq else scope.get(name))


def _step(state: _State, instr: Instruction, global_args: Mapping[str, str], commands_of) -> None:
    kw = instr.keyword
    if kw == "ARG":
        # all defaults expand in the scope before this ARG (list() first: the view is live)
        for name, value in list(_arg_decls(instr, _arg_scope(state, global_args))):
            if value is not None and name not in state.env:  # an ENV of the same name wins over the ARG
                state.set_env(name, value)
    elif kw == "ENV":
        for name, value in env_pairs(instr.args):
            got = expand(value, state.env)
            if got is None:
                state.unset_env(name)
            else:
                state.set_env(name, got)
    elif kw == "USER":
        spec = expand(instr.args.strip(), state.env)
        if spec is None:
            state.user = UserInfo(instr.args.strip(), None, None, None, None, f"USER line {instr.line + 1}")
        else:
            state.user = resolve_user(spec, state.passwd, f"USER line {instr.line + 1}")
    elif kw == "WORKDIR":
        target = expand(instr.args.strip(), state.env)
        if target:
            state.workdir = posixpath.normpath(posixpath.join(state.workdir, target))
    elif kw == "RUN":
        changed = False
        for cmd in commands_of(instr):
            if cmd.name in ("useradd", "adduser", "groupadd", "addgroup"):
                state.passwd.apply(_expanded(cmd, state.env))
                changed = True
        if changed and not state.user.is_root:
            # USER named a user this RUN (re)creates: refresh what we know about it.
            state.user = resolve_user(state.user.spec, state.passwd, state.user.source)


def _expanded(cmd: SimpleCommand, env: Mapping[str, str]) -> SimpleCommand:
    words = tuple(replace(w, text=expand(w.text, env) or w.text) if "$" in w.text else w for w in cmd.words)
    return replace(cmd, words=words)


def _arg_scope(state: _State, global_args: Mapping[str, str]) -> Mapping[str, str]:
    # `ARG NAME` inside a stage picks up the global default; defaults may refer to ENV/ARG in force.
    # A view, not a merged copy: a copy per ARG was quadratic in files of many ARGs.
    return ChainMap(state.env, global_args)  # type: ignore[arg-type]


def env_pairs(args: str) -> list[tuple[str, str]]:
    words = split_words(args)
    if words and "=" not in words[0]:
        # Legacy `ENV NAME value with spaces`.
        rest = args.strip()[len(words[0]):].strip()
        return [(words[0], rest)]
    pairs = []
    for word in words:
        name, eq, value = word.partition("=")
        if eq:
            pairs.append((name, value))
    return pairs
