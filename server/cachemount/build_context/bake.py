"""`docker buildx bake` files: the `context`, `dockerfile` and `inherits` of each target, from the HCL
form (`target "app" { context = "." dockerfile = "Dockerfile" }`) or the JSON form
(`{"target": {"app": {"context": ".", ...}}}`). A bounded reader of those attributes only: blocks
and attributes are tokenized, every other attribute value is skipped. A value that is not a
plain string (a variable, `${...}` interpolation, a function call) is UNKNOWN, and so is a target
with a `matrix`; those targets are never said to name a Dockerfile."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

UNKNOWN: Any = object()
MAX_INHERITS_DEPTH = 16
KEYS = ("context", "dockerfile", "inherits")


class BakeError(Exception):
    pass


@dataclass
class Target:
    name: str
    attrs: dict[str, Any]      # context / dockerfile: str or UNKNOWN; inherits: list[str] or UNKNOWN


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+|\\\n)
  | (?P<nl>\n)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<heredoc><<-?(?P<marker>[A-Za-z_][A-Za-z0-9_]*)\n)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<number>[0-9][0-9.eE+\-]*)
  | (?P<punct>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[{}\[\]()=,:?.+\-*/%<>!])
""", re.VERBOSE | re.DOTALL)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise BakeError(f"cannot read HCL at offset {pos}")
        kind = m.lastgroup or ""
        if kind == "marker":
            kind = "heredoc"
        if kind == "heredoc":
            marker = m.group("marker")
            end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.MULTILINE).search(text, m.end())
            if end is None:
                raise BakeError("unterminated heredoc")
            out.append(("heredoc", ""))
            pos = end.end()
            continue
        if kind not in ("ws", "comment"):
            out.append((kind, m.group()))
        pos = m.end()
    return out


def _string(raw: str) -> Any:
    """A plain HCL string literal's value, or UNKNOWN when it interpolates."""
    body = raw[1:-1]
    if re.search(r"(?<!\$)\$\{|(?<!%)%\{", body):
        return UNKNOWN
    body = body.replace("$${", "${").replace("%%{", "%{")
    try:
        return json.loads('"' + body + '"')
    except ValueError:
        return UNKNOWN


def parse_hcl(text: str) -> list[Target]:
    toks = _tokens(text)
    targets: list[Target] = []
    i = 0
    depth = 0
    n = len(toks)
    while i < n:
        kind, value = toks[i]
        if kind == "nl":
            i += 1
            continue
        if depth == 0 and kind == "ident":
            # a block `type "label"... {` or an attribute `name = expr`
            j = i + 1
            labels = []
            while j < n and toks[j][0] in ("string", "ident") and toks[j][1] != "=":
                labels.append(toks[j])
                j += 1
            if j < n and toks[j] == ("punct", "{"):
                body_end = _matching(toks, j)
                if value == "target" and len(labels) == 1 and labels[0][0] == "string":
                    name = _string(labels[0][1])
                    if isinstance(name, str):
                        targets.append(Target(name, _attributes(toks[j + 1:body_end])))
                i = body_end + 1
                continue
            if j < n and toks[j] == ("punct", "="):
                i = _expression_end(toks, j + 1)
                continue
        raise BakeError(f"unexpected {value!r}")
    return targets


def _matching(toks: list[tuple[str, str]], open_at: int) -> int:
    level = 0
    for k in range(open_at, len(toks)):
        t = toks[k]
        if t[0] == "punct" and t[1] in "{[(":
            level += 1
        elif t[0] == "punct" and t[1] in "}])":
            level -= 1
            if level == 0:
                return k
    raise BakeError("unbalanced brackets")


def _expression_end(toks: list[tuple[str, str]], i: int) -> int:
    """Index past an attribute's expression: the next newline outside brackets."""
    level = 0
    while i < len(toks):
        kind, value = toks[i]
        if kind == "punct" and value in "{[(":
            level += 1
        elif kind == "punct" and value in "}])":
            level -= 1
            if level < 0:
                return i
        elif kind == "nl" and level == 0:
            return i + 1
        i += 1
    return i


def _attributes(body: list[tuple[str, str]]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    i = 0
    while i < len(body):
        kind, value = body[i]
        if kind == "nl":
            i += 1
            continue
        if kind == "ident" and i + 1 < len(body) and body[i + 1] == ("punct", "="):
            end = _expression_end(body, i + 2)
            expr = [t for t in body[i + 2:end] if t[0] != "nl"]
            if value in KEYS:
                attrs[value] = _literal(expr, value == "inherits")
            elif value == "matrix":
                attrs["matrix"] = True
            i = end
            continue
        if kind == "ident":   # a nested block: skip it
            j = i + 1
            while j < len(body) and body[j] != ("punct", "{"):
                j += 1
            if j < len(body):
                i = _matching(body, j) + 1
                continue
        raise BakeError(f"unexpected {value!r} in a target")
    return attrs


def _literal(expr: list[tuple[str, str]], is_list: bool) -> Any:
    if not is_list:
        if len(expr) == 1 and expr[0][0] == "string":
            return _string(expr[0][1])
        return UNKNOWN
    if len(expr) < 2 or expr[0] != ("punct", "[") or expr[-1] != ("punct", "]"):
        return UNKNOWN
    items = []
    for kind, value in expr[1:-1]:
        if kind == "punct" and value == ",":
            continue
        if kind != "string":
            return UNKNOWN
        item = _string(value)
        if item is UNKNOWN:
            return UNKNOWN
        items.append(item)
    return items


def parse_json(text: str) -> list[Target]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BakeError(str(exc)) from None
    found = data.get("target") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return []
    targets = []
    for name, body in found.items():
        if not isinstance(body, dict):
            continue
        attrs: dict[str, Any] = {}
        for key in KEYS:
            if key not in body:
                continue
            value = body[key]
            if key == "inherits":
                ok = isinstance(value, list) and all(isinstance(v, str) and "${" not in v for v in value)
                attrs[key] = value if ok else UNKNOWN
            else:
                attrs[key] = value if isinstance(value, str) and "${" not in value else UNKNOWN
        if "matrix" in body:
            attrs["matrix"] = True
        targets.append(Target(str(name), attrs))
    return targets


def resolve(targets: list[Target]) -> list[tuple[str, Any, Any]]:
    """(name, context, dockerfile) of each target after `inherits` (own attributes win; later
    files override earlier ones for the same target name). Defaults: context `.`, `Dockerfile`."""
    merged: dict[str, dict[str, Any]] = {}
    for t in targets:
        merged.setdefault(t.name, {}).update(t.attrs)

    def attr(name: str, key: str, depth: int) -> Any:
        attrs = merged.get(name)
        if attrs is None or depth > MAX_INHERITS_DEPTH:
            return UNKNOWN
        if key in attrs:
            return attrs[key]
        parents = attrs.get("inherits", [])
        if parents is UNKNOWN:
            return UNKNOWN
        for parent in reversed(parents):   # the last parent listed wins
            got = attr(parent, key, depth + 1)
            if got is not None:
                return got
        return None

    out = []
    for name, attrs in merged.items():
        if attrs.get("matrix"):
            continue
        context = attr(name, "context", 0)
        dockerfile = attr(name, "dockerfile", 0)
        out.append((name, "." if context is None else context, "Dockerfile" if dockerfile is None else dockerfile))
    return out
