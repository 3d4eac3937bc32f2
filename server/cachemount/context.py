"""Build state along each stage lineage: ARG/ENV values, USER, WORKDIR, the passwd model and
the base image, for every instruction. `FROM <stage>` inherits all of it from that stage."""
from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from . import images
from .document.expand import expand, split_words
from .document.model import Document, Instruction
from .shell.model import SimpleCommand
from .userinfo import UserInfo
from .users import Passwd, resolve_user


@dataclass(frozen=True)
class RunContext:
    env: Mapping[str, str]   # ARG and ENV values in force (unknown values are absent)
    user: UserInfo
    workdir: str
    base: str | None         # expanded image of the lineage's first FROM (None if unknown)
    os_family: str | None    # 'debian', 'ubuntu', 'alpine', 'fedora', 'rhel', 'suse', 'windows', None
    stage: int
    lineage: tuple[int, ...]  # indices of earlier instructions in this stage lineage, oldest first


@dataclass
class _State:
    env: dict[str, str]
    user: UserInfo
    workdir: str
    passwd: Passwd
    base: str | None
    os_family: str | None
    lineage: list[int] = field(default_factory=list)

    def copy(self) -> "_State":
        return _State(dict(self.env), self.user, self.workdir, self.passwd.copy(), self.base,
                      self.os_family, list(self.lineage))


def global_args(doc: Document) -> dict[str, str]:
    """ARG defaults declared before the first FROM."""
    args: dict[str, str] = {}
    for instr in doc.instructions:
        if instr.stage >= 0:
            break
        if instr.keyword == "ARG":
            for name, value in _arg_decls(instr, args):
                if value is not None:
                    args[name] = value
    return args


def stage_parents(doc: Document, args: Mapping[str, str] | None = None) -> list[int | None]:
    """For each stage, the earlier stage it is built FROM (by name, after ARG expansion), or None."""
    if args is None:
        args = global_args(doc)
    out: list[int | None] = []
    for stage in doc.stages:
        parent = stage.parent
        if parent is None:
            ref = expand(stage.base, args, doc.escape)
            if ref is not None:
                for earlier in doc.stages[:stage.index]:
                    if earlier.name and earlier.name == ref.lower():
                        parent = earlier.index
        out.append(parent)
    return out


def lineage_stages(parents: list[int | None], stage: int) -> list[int]:
    """The stage and its ancestors, oldest first."""
    chain = []
    current: int | None = stage
    while current is not None and current not in chain:
        chain.append(current)
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
        wanted = {s for stage in stages for s in lineage_stages(parents, stage)}
    for stage in doc.stages:
        if wanted is not None and stage.index not in wanted:
            continue
        state = _stage_start(doc, stage, args, finals)
        for instr in stage.instructions:
            out[instr.index] = RunContext(dict(state.env), state.user, state.workdir, state.base,
                                          state.os_family, stage.index, tuple(state.lineage))
            _step(state, instr, args, commands_of)
            state.lineage.append(instr.index)
        finals[stage.index] = state
    return out


def _stage_start(doc: Document, stage, global_args: Mapping[str, str], finals: dict[int, _State]) -> _State:
    ref = expand(stage.base, global_args, doc.escape)
    parent = stage.parent
    if parent is None and ref is not None:
        for earlier in doc.stages[:stage.index]:
            if earlier.name and earlier.name == ref.lower():
                parent = earlier.index
    if parent is not None and parent in finals:
        state = finals[parent].copy()
        state.env = {k: v for k, v in state.env.items()}
        return state
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
        for name, value in _arg_decls(instr, _arg_scope(state, global_args)):
            if value is not None:
                state.env.setdefault(name, value)  # an ENV of the same name wins over the ARG
    elif kw == "ENV":
        for name, value in _env_pairs(instr.args):
            got = expand(value, state.env)
            if got is None:
                state.env.pop(name, None)
            else:
                state.env[name] = got
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


def _arg_scope(state: _State, global_args: Mapping[str, str]) -> dict[str, str]:
    # `ARG NAME` inside a stage picks up the global default; defaults may refer to ENV/ARG in force.
    scope = dict(global_args)
    scope.update(state.env)
    return scope


def _env_pairs(args: str) -> list[tuple[str, str]]:
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
