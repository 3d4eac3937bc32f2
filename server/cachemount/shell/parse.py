"""Shell text -> simple commands with exact document spans, using tree-sitter-bash.

`parse_commands(text, origin)` walks the syntax tree of a RUN body (or a heredoc body) and returns
every simple command in source order: through lists, pipelines, subshells, groups, if/for/while/
until/case, function bodies, negation, redirections and command substitutions. Wrappers (sudo,
env, xargs, time, nice, ...) are peeled, `NAME=value` prefixes become assignments, and the string
argument of `sh -c` / `bash -c` / `su -c` is parsed again with its offsets mapped back exactly.

Offsets: tree-sitter parses an ASCII stand-in of `text` (each non-ASCII character replaced by
one `.`, see `_Analyser._encode`), so its byte offsets are code points of `text`; they are mapped
to the document through `origin`. Results for a given text are cached (origin 0, a least
recently used cache bounded by estimated bytes, limits.SHELL_CACHE_BYTES) and shifted or mapped
per call, so re-analysing a mostly unchanged document is cheap. A result depends on the text only.

Bounds (limits.py): `sh -c` payloads are analysed at most MAX_SHELL_NESTING deep and within a
budget of re-parsed characters proportional to the text, command substitutions at most
MAX_SUBSTITUTION_NESTING deep; past any of them, the rest is opaque.
Command substitutions in a payload that the outer shell expands (`sh -c "$(cmd)"`) are commands of
the outer shell, found once there; the inner analysis leaves them opaque.

The module never raises on any input: a tree with ERROR nodes still yields the commands found in
its well-formed parts.
"""
from __future__ import annotations

import bisect
import re
from _thread import allocate_lock   # threading.Lock itself; importing threading costs every start
from collections import OrderedDict
from functools import _CacheInfo
from typing import Sequence

from ..limits import (MAX_SHELL_NESTING, MAX_SUBSTITUTION_NESTING, SHELL_C_REPARSE_FACTOR, SHELL_C_REPARSE_MIN,
                      SHELL_CACHE_BYTES)
from .model import SimpleCommand, Word

__all__ = ["parse_commands"]

# ---------------------------------------------------------------------------------------------
# Parser (created once, lazily: importing this module must stay cheap)

_PARSER = None
_PARSER_LOCK = allocate_lock()


def _parse_tree(src: bytes):
    global _PARSER
    with _PARSER_LOCK:
        if _PARSER is None:
            import tree_sitter

            _PARSER = tree_sitter.Parser(tree_sitter.Language(_bash_language()))
        return _PARSER.parse(src)


def _bash_language():
    """The bash grammar, from tree_sitter_bash's compiled `_binding` loaded by itself: the package's
    `__init__` imports importlib.resources (and with it pathlib, urllib.parse, ipaddress, ...) for a
    highlight query never read here, several milliseconds of every `cachemount check`. Any other
    layout (a zipped install, no binding file) falls back to importing the package."""
    try:
        from importlib.machinery import PathFinder   # (not importlib.util: one more import at every start)

        package = PathFinder.find_spec("tree_sitter_bash")
        spec = PathFinder.find_spec("tree_sitter_bash._binding",
                                    package.submodule_search_locations if package else None)
        if spec is None or spec.loader is None:
            raise ImportError("no tree_sitter_bash._binding")
        binding = spec.loader.create_module(spec)
        spec.loader.exec_module(binding)
        return binding.language()
    except Exception:
        import tree_sitter_bash
        return tree_sitter_bash.language()


# ---------------------------------------------------------------------------------------------
# Node classes

# Containers of statements and everything not listed elsewhere are walked in "statement" mode,
# where `command`, declarations and bare assignments are emitted.
_SKIP = frozenset({"comment", "heredoc_body", "heredoc_start", "heredoc_end"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
# Walked only for command substitutions inside them (no statements live there).
_WORDISH = frozenset({"test_command", "arithmetic_expansion"})
_DECLARATIONS = frozenset({"declaration_command", "unset_command"})
_ASSIGNMENTS = frozenset({"variable_assignment", "variable_assignments"})
_LOOP_BODIES = frozenset({"do_group", "compound_statement"})
# Children of a `command` node that are not words.
_NOT_WORDS = frozenset({
    "variable_assignment", "variable_assignments", "file_redirect", "heredoc_redirect",
    "herestring_redirect", "comment",
})
_SUBST_MARKERS = ("$(", "`", "<(", ">(")

# compiled on first use (re's cache), not at every start
_NAME_RE = r"[A-Za-z_][A-Za-z0-9_]*="
_VALID_NAME_RE = r"(?s)[A-Za-z_][A-Za-z0-9_]*(?:\[.*\])?\Z"
_NON_ASCII_RE = r"[^\x00-\x7f]"

_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "posh"})
_SU = frozenset({"su", "runuser"})
_SU_VALUED = frozenset({"-s", "-g", "-G", "-w", "--shell", "--group", "--supp-group",
                        "--whitelist-environment"})

# Wrapper option tables: (short options taking a value, long options taking a value,
# short options whose value is optional and only attached, positional operands before the command).
_WRAPPERS: dict[str, tuple[str, frozenset[str], str, int]] = {
    "sudo": ("ugpCDrtTUR", frozenset({"user", "group", "prompt", "close-from", "chdir", "role",
                                      "type", "other-user", "command-timeout", "chroot", "host"}),
             "", 0),
    "doas": ("uC", frozenset(), "", 0),
    "env": ("uCS", frozenset({"unset", "chdir", "split-string"}), "", 0),
    "xargs": ("nILPdsaE", frozenset({"max-args", "max-lines", "max-procs", "delimiter",
                                     "max-chars", "arg-file", "process-slot-var"}), "iel", 0),
    "time": ("of", frozenset({"output", "format"}), "", 0),
    "nice": ("n", frozenset({"adjustment"}), "", 0),
    "nohup": ("", frozenset(), "", 0),
    "exec": ("a", frozenset(), "", 0),
    "command": ("", frozenset(), "", 0),
    "stdbuf": ("ioe", frozenset({"input", "output", "error"}), "", 0),
    "timeout": ("sk", frozenset({"signal", "kill-after"}), "", 1),
    "eatmydata": ("", frozenset(), "", 0),
    "ionice": ("cnpPu", frozenset({"class", "classdata", "pid", "pgid", "uid"}), "", 0),
}
# Wrappers whose `NAME=value` operands (before the command) are environment assignments.
_ASSIGNING_WRAPPERS = frozenset({"sudo", "env"})


# ---------------------------------------------------------------------------------------------
# Public API


def parse_commands(text: str, origin: int | Sequence[int] = 0) -> list[SimpleCommand]:
    """Simple commands of shell `text`, in source order, with spans in document code points.

    `origin` is the document offset of `text[0]` (int), or a sequence giving the document offset
    of every character of `text` plus one final entry for the end offset. With a sequence, a span
    [a, b) maps to [origin[a], origin[b-1] + 1): it ends just after its last character, so
    characters the caller dropped from `text` (e.g. continuations) after a word stay outside it.
    """
    if not isinstance(text, str):
        return []
    try:
        cmds = _analyse(text)
    except Exception:  # never raise on input: analysis is best effort
        return []
    if isinstance(origin, int) or not hasattr(origin, "__getitem__"):
        try:
            origin = int(origin)  # type: ignore[arg-type]  # any int-like value
        except Exception:
            return []
        if origin == 0:
            return list(cmds)
        return [_shift_command(c, origin) for c in cmds]
    try:
        omap = list(origin)
        n = len(text)
        if len(omap) < n + 1:  # tolerate a short map: extend contiguously
            last = omap[-1] if omap else 0
            omap.extend(range(last + 1, last + 1 + n + 1 - len(omap)))
        ends = getattr(origin, "ends", None)  # chars decoded from escapes: where each one's source ends

        def span(a: int, b: int) -> tuple[int, int]:
            if b > a:
                return omap[a], ends[b - 1] if ends is not None else omap[b - 1] + 1
            return omap[a], omap[a]

        return [_map_command(c, span, False) for c in cmds]
    except Exception:
        return []


# ---------------------------------------------------------------------------------------------
# Result construction helpers (frozen records: bypass __init__ for speed on hot paths)

_new = object.__new__


def _word(text: str, start: int, end: int, quoted: bool) -> Word:
    w = _new(Word)
    w.__dict__.update(text=text, start=start, end=end, quoted=quoted)
    return w


def _command(words, assignments, start, end, wrappers, via_shell_c, conditional=False) -> SimpleCommand:
    c = _new(SimpleCommand)
    c.__dict__.update(words=words, assignments=assignments, start=start, end=end,
                      wrappers=wrappers, via_shell_c=via_shell_c, conditional=conditional)
    return c


def _shift_command(c: SimpleCommand, d: int) -> SimpleCommand:
    return _command(
        tuple([_word(w.text, w.start + d, w.end + d, w.quoted) for w in c.words]),
        c.assignments, c.start + d, c.end + d, c.wrappers, c.via_shell_c, c.conditional)


def _map_command(c: SimpleCommand, span, via_shell_c: bool, assignments=(),
                 wrappers=(), conditional: bool = False) -> SimpleCommand:
    words = []
    for w in c.words:
        s, e = span(w.start, w.end)
        words.append(_word(w.text, s, e, w.quoted))
    s, e = span(c.start, c.end)
    return _command(tuple(words), tuple(assignments) + c.assignments, s, e,
                    tuple(wrappers) + c.wrappers, via_shell_c or c.via_shell_c, conditional or c.conditional)


# ---------------------------------------------------------------------------------------------
# Analysis of one text (origin 0), cached


class _ResultCache:
    """Least recently used results by text, bounded by their estimated size in bytes (a bound on
    the number of entries alone let 4,096 results of a 25 KB RUN, one per keystroke, take GBs)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = self.misses = 0
        self._data: OrderedDict[str, tuple[tuple[SimpleCommand, ...], int]] = OrderedDict()
        self._lock = allocate_lock()

    def get(self, text: str) -> tuple[SimpleCommand, ...] | None:
        with self._lock:
            got = self._data.get(text)
            if got is None:
                self.misses += 1
                return None
            self.hits += 1
            self._data.move_to_end(text)
            return got[0]

    def put(self, text: str, result: tuple[SimpleCommand, ...]) -> None:
        cost = _estimated_bytes(text, result)
        if cost > self.max_bytes // 4:
            return
        with self._lock:
            old = self._data.pop(text, None)
            if old is not None:
                self.bytes -= old[1]
            self._data[text] = (result, cost)
            self.bytes += cost
            while self.bytes > self.max_bytes and self._data:
                _, (_, dropped) = self._data.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = self.hits = self.misses = 0

    def info(self) -> _CacheInfo:
        """Like functools.lru_cache's cache_info(); maxsize is in bytes."""
        with self._lock:
            return _CacheInfo(self.hits, self.misses, self.max_bytes, len(self._data))

    def __len__(self) -> int:
        return len(self._data)


def _estimated_bytes(text: str, result: tuple[SimpleCommand, ...]) -> int:
    """Rough memory of a cache entry (CPython object sizes, measured: ~360 B per word)."""
    total = 200 + len(text)
    for c in result:
        total += 500 + 100 * len(c.assignments)
        for w in c.words:
            total += 360 + len(w.text)
    return total


_CACHE = _ResultCache(SHELL_CACHE_BYTES)


def _analyse(text: str) -> tuple[SimpleCommand, ...]:
    got = _CACHE.get(text)
    if got is None:
        budget = [SHELL_C_REPARSE_FACTOR * len(text) + SHELL_C_REPARSE_MIN]
        got = _run(_Analyser(text, 0, budget, ()))
        _CACHE.put(text, got)
    return got


_analyse.cache_clear = _CACHE.clear  # type: ignore[attr-defined]
_analyse.cache_info = _CACHE.info    # type: ignore[attr-defined]


def _run(a: "_Analyser") -> tuple[SimpleCommand, ...]:
    try:
        a.run()
    except Exception:  # RecursionError, MemoryError on absurd input...: keep what was found
        pass
    return tuple(a.out)


class _Analyser:
    __slots__ = ("text", "out", "extras", "depth", "budget", "opaque", "conditional")

    def __init__(self, text: str, depth: int, budget: list[int], opaque: tuple[tuple[int, int], ...]) -> None:
        self.text = text
        self.out: list[SimpleCommand] = []
        self.extras: dict[int, list] = {}
        self.depth = depth            # `sh -c` payloads this text is nested in
        self.budget = budget          # characters of payloads still allowed to be parsed (shared)
        self.opaque = opaque          # sorted, disjoint [start, end) of substitutions not to walk
        self.conditional = False      # the statement being emitted runs only on some paths

    # -- offsets ------------------------------------------------------------------------------

    def _encode(self) -> bytes:
        """The bytes handed to tree-sitter: every non-ASCII character becomes one `.`.

        Two reasons. tree-sitter-bash's external scanner calls <ctype.h> `isdigit`/`isalpha` on
        the lookahead code point (after `{`, `-`, `?`, `$`); for code points above 255 that reads
        outside the ctype table and can crash the process (seen with `{` + U+E0000). And with
        ASCII input byte offsets are code-point offsets, so no conversion is needed. For bash,
        non-ASCII characters are ordinary word characters, like `.`; all text is read from the
        original string.
        """
        text = self.text
        if text.isascii():
            return text.encode("ascii")
        return re.sub(_NON_ASCII_RE, ".", text).encode("ascii")

    # -- walk ---------------------------------------------------------------------------------

    def run(self) -> None:
        src = self._encode()
        if not src.strip():
            return
        tree = _parse_tree(src)
        # (node, statement mode, substitutions around it, runs only on some paths)
        stack = [(tree.root_node, True, 0, False)]
        pop = stack.pop
        push = stack.append
        while stack:
            node, full, subs, cond = pop()
            t = node.type
            if t in _SKIP:
                continue
            if t in _SUBSTITUTIONS:
                if subs >= MAX_SUBSTITUTION_NESTING or self.opaque and self._is_opaque(node):
                    continue  # opaque (limits.py)
                for k in reversed(node.named_children):
                    push((k, True, subs + 1, cond))
                continue
            if not full:
                if node.child_count:
                    for k in reversed(node.named_children):
                        push((k, False, subs, cond))
                continue
            if t == "command" or t in _ASSIGNMENTS or t in _DECLARATIONS:
                self.conditional = cond
                if t in _DECLARATIONS:
                    self._emit_declaration(node)
                else:
                    self._emit_command(node)
                if self._may_substitute(node):  # look for $(...) only if there may be one
                    for k in reversed(node.named_children):
                        push((k, False, subs, cond))
                continue
            if t == "redirected_statement":
                self._collect_redirect_extras(node)
            elif t in _WORDISH:
                push((node, False, subs, cond))  # revisit in word mode
                continue
            elif t == "c_style_for_statement":
                for k in reversed(node.named_children):
                    push((k, k.type in _LOOP_BODIES, subs, cond))
                continue
            if node.child_count:
                branches = _branches(node) if t in _BRANCHING else ()
                for k in reversed(node.named_children):
                    push((k, True, subs, cond or k.id in branches))

    def _is_opaque(self, node) -> bool:
        opaque = self.opaque
        k = bisect.bisect_right(opaque, (node.start_byte, float("inf"))) - 1
        return k >= 0 and node.end_byte <= opaque[k][1]

    def _may_substitute(self, node) -> bool:
        raw = self.text[node.start_byte:node.end_byte]
        for m in _SUBST_MARKERS:
            if m in raw:
                return True
        return False

    # -- redirect quirk: `cmd > f x` parses `x` as a second destination of the redirect --------

    def _collect_redirect_extras(self, node) -> None:
        kids = node.children
        if not kids:
            return
        body = kids[0]
        extras = []
        for k in kids[1:]:
            if k.type != "file_redirect":
                continue
            dests = [c for c in k.named_children if c.type != "file_descriptor"]
            extras.extend(dests[1:])
        if not extras:
            return
        target = body
        while target is not None:
            t = target.type
            if t == "command":
                self.extras.setdefault(target.id, []).extend(extras)
                return
            if t in ("pipeline", "list", "negated_command"):
                named = target.named_children
                target = named[-1] if named else None
            elif t == "redirected_statement":
                target = target.children[0] if target.child_count else None
            else:
                return

    # -- words --------------------------------------------------------------------------------

    def _words(self, nodes) -> list[list]:
        """Words from argument nodes; adjacent nodes (no blank between them, or only a
        backslash-newline) form one shell word. Entries: [text, start, end, quoted, nodes]."""
        text = self.text
        words: list[list] = []
        for n in nodes:
            s = n.start_byte
            e = n.end_byte
            nt = n.type
            if nt == "word" and "\\" not in (wtext := text[s:e]):
                q = False  # fast path: a plain word is its own value
            elif e <= s and nt != "string":
                continue
            else:
                out: list[str] = []
                q = _unquote(n, text, out, None, None)
                wtext = "".join(out)
            if words:
                prev = words[-1]
                pe = prev[2]
                if pe == s or (text[pe:s] in ("\\\n", "\\\r\n")):
                    if prev[0] == "$" and n.type == "string" and prev[4][0].type == "$":
                        prev[0] = ""  # $"..." (locale translation) is its string
                        prev[3] = True
                    prev[0] += wtext
                    prev[2] = e
                    prev[3] = prev[3] or q
                    prev[4].append(n)
                    continue
            words.append([wtext, s, e, q, [n]])
        return words

    def _assignment(self, node) -> tuple[str, str, bool]:
        """(name, unquoted value, quoted) of a variable_assignment node."""
        text = self.text
        kids = node.children
        name = ""
        value_out: list[str] = []
        q = False
        seen_op = False
        for k in kids:
            kt = k.type
            if not seen_op:
                if kt in ("=", "+="):
                    seen_op = True
                elif not name:
                    name = text[k.start_byte:k.end_byte]
                continue
            q = _unquote(k, text, value_out, None, None) or q
        return name, "".join(value_out), q

    # -- emission -----------------------------------------------------------------------------

    def _emit_command(self, node) -> None:
        """Emit a `command` node, or a statement made only of assignments (`A=1 B=2`)."""
        kids = (node,) if node.type == "variable_assignment" else node.children
        assignments: list[tuple[str, str]] = []
        argnodes: list = []
        for k in kids:
            kt = k.type
            if kt in _NOT_WORDS:
                if argnodes or kt not in _ASSIGNMENTS:
                    if kt == "variable_assignment":  # `cmd A=b`: an argument
                        argnodes.append(k)
                    continue
                for a in (k.named_children if kt == "variable_assignments" else (k,)):
                    if a.type != "variable_assignment":
                        continue
                    name, value, _ = self._assignment(a)
                    if argnodes or not re.match(_VALID_NAME_RE, name):
                        argnodes.append(a)  # `--opt=x` is a word, not an assignment
                    else:
                        assignments.append((name, value))
                continue
            if kt == "command_name" and k.child_count == 1:
                k = k.children[0]
            argnodes.append(k)
        extras = self.extras.get(node.id) if self.extras else None
        end = node.end_byte
        if extras:
            argnodes.extend(extras)
            end = max(end, extras[-1].end_byte)
        words = self._words(argnodes) if argnodes else []
        self._finish(words, assignments, node.start_byte, end)

    def _emit_declaration(self, node) -> None:
        text = self.text
        words: list[list] = []
        other: list = []
        for k in node.children:
            if k.type == "variable_assignment":
                if other:
                    words.extend(self._words(other))
                    other = []
                name, value, q = self._assignment(k)
                s, e = k.start_byte, k.end_byte
                op = "+=" if text.startswith("+=", s + len(name)) else "="
                words.append([name + op + value, s, e, q, [k]])
            elif k.type != "comment":
                other.append(k)
        if other:
            words.extend(self._words(other))
        self._finish(words, [], node.start_byte, node.end_byte, peel=False)

    def _finish(self, words: list[list], assignments: list, start: int, end: int,
                peel: bool = True) -> None:
        wrappers: list[str] = []
        if peel and words:
            words = _peel_wrappers(words, assignments, wrappers)
        cmd = _command(tuple([_word(w[0], w[1], w[2], w[3]) for w in words]),
                       tuple(assignments), start, end, tuple(wrappers), False, self.conditional)
        self.out.append(cmd)
        if peel and words:
            payload = _shell_c_payload(words)
            if payload is not None:
                self._emit_shell_c(payload, cmd)

    def _emit_shell_c(self, payload: tuple[list, int], outer: SimpleCommand) -> None:
        if self.depth >= MAX_SHELL_NESTING:
            return  # opaque (limits.py)
        word, skip = payload
        cost = word[2] - word[1]   # the raw word: at least the payload's length
        if cost > self.budget[0]:
            return  # opaque: enough payload text parsed for this shell text (limits.py)
        self.budget[0] -= cost
        out: list[str] = []
        ps: list[int] = []
        pe: list[int] = []
        text = self.text
        for n in word[4]:
            _unquote(n, text, out, ps, pe)
        body = "".join(out)[skip:]
        ps, pe = ps[skip:], pe[skip:]
        if len(ps) != len(body) or not body.strip():
            return
        opaque = []
        for sub_start, sub_end in _expanded_substitutions(word[4]):
            a, b = bisect.bisect_left(ps, sub_start), bisect.bisect_left(ps, sub_end)
            if a < b:
                opaque.append((a, b))
        inner = _run(_Analyser(body, self.depth + 1, self.budget, tuple(opaque)))
        n = len(body)
        tail = pe[-1]

        def span(a: int, b: int) -> tuple[int, int]:
            if b > a:
                return ps[a], pe[b - 1]
            p = ps[a] if a < n else tail
            return p, p

        for c in inner:
            self.out.append(_map_command(c, span, True, outer.assignments, outer.wrappers, outer.conditional))


_BRANCHING = frozenset({"if_statement", "case_statement", "while_statement", "until_statement",
                        "function_definition", "list"})
_TESTS = frozenset({"[", "[[", "test", "command", "which", "type", "hash"})


def _branches(node) -> frozenset[int]:
    """Ids of the named children of `node` that run only on some paths: an if's branches (not its
    first condition), case items, a while/until or function body, the right side of `||` or of `&&`
    after a test (`[ -x f ] && cmd`, `command -v apt && ...`)."""
    t = node.type
    kids = node.named_children
    if t == "if_statement":
        first = {k.id for k in node.children_by_field_name("condition")}
        return frozenset(k.id for k in kids if k.id not in first)
    if t == "case_statement":
        return frozenset(k.id for k in kids if k.type == "case_item")
    if t in ("while_statement", "until_statement", "function_definition"):
        return frozenset(k.id for k in node.children_by_field_name("body"))
    ops = [k.type for k in node.children if not k.is_named]
    if len(kids) == 2 and (ops == ["||"] or ops == ["&&"] and _is_test(kids[0])):
        return frozenset((kids[1].id,))
    return frozenset()


def _is_test(node) -> bool:
    """Does `node` end with a test, whose failure is a branch, not an error?"""
    while node.type in ("list", "redirected_statement") and node.named_child_count:
        node = node.named_children[-1] if node.type == "list" else node.named_children[0]
    if node.type in ("test_command", "negated_command"):
        return True
    name = node.child_by_field_name("name") if node.type == "command" else None
    return name is not None and name.text.decode("ascii", "replace") in _TESTS


def _expanded_substitutions(nodes) -> list[tuple[int, int]]:
    """Spans of the outermost command/process substitutions in these word nodes: the shell that
    reads the word runs them (its walk emits their commands) and hands their output on."""
    found = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if node.type in _SUBSTITUTIONS:
            found.append((node.start_byte, node.end_byte))
        elif node.child_count:
            stack.extend(reversed(node.named_children))
    return found


# ---------------------------------------------------------------------------------------------
# Unquoting (word text), optionally recording for every output character the span of the source
# characters that produced it (ps: starts, pe: ends), for mapping `sh -c` payloads back.


def _copy(text: str, a: int, b: int, out: list, ps, pe) -> None:
    if b > a:
        out.append(text[a:b])
        if ps is not None:
            ps.extend(range(a, b))
            pe.extend(range(a + 1, b + 1))


def _unescape(text: str, a: int, b: int, out: list, ps, pe, special) -> bool:
    """Copy text[a:b] removing backslash quoting. `special` is None outside quotes (every char
    can be escaped) or the set of escapable chars inside double quotes. Backslash-newline is a
    line continuation and vanishes. Returns True if a character was escaped."""
    i = text.find("\\", a, b)
    if i < 0:
        _copy(text, a, b, out, ps, pe)
        return False
    q = False
    while i >= 0:
        _copy(text, a, i, out, ps, pe)
        if i + 1 >= b:  # trailing lone backslash stays literal
            _copy(text, i, b, out, ps, pe)
            return q
        nx = text[i + 1]
        if nx == "\n":
            a = i + 2
        elif nx == "\r" and i + 2 < b and text[i + 2] == "\n":
            a = i + 3
        elif special is None or nx in special:
            out.append(nx)
            if ps is not None:
                ps.append(i)
                pe.append(i + 2)
            q = True
            a = i + 2
        else:
            _copy(text, i, i + 2, out, ps, pe)
            a = i + 2
        i = text.find("\\", a, b)
    _copy(text, a, b, out, ps, pe)
    return q


_DQ_SPECIAL = frozenset('$`"\\\n')
_NOTHING: frozenset[str] = frozenset()  # literal text: only line continuations vanish
_ANSI_C = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
           "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _ansi_c(text: str, a: int, b: int, out: list, ps, pe) -> None:
    i = a
    while i < b:
        j = text.find("\\", i, b)
        if j < 0 or j + 1 >= b:
            _copy(text, i, b, out, ps, pe)
            return
        _copy(text, i, j, out, ps, pe)
        ch = _ANSI_C.get(text[j + 1])
        if ch is None:
            _copy(text, j, j + 2, out, ps, pe)
        else:
            out.append(ch)
            if ps is not None:
                ps.append(j)
                pe.append(j + 2)
        i = j + 2


def _unquote(node, text: str, out: list, ps, pe) -> bool:
    """Append the unquoted value of a word node to `out`; return True if any part was quoted.
    Expansions and substitutions are copied literally."""
    t = node.type
    s = node.start_byte
    e = node.end_byte
    if t == "raw_string":
        if e - s >= 2 and text[e - 1] == "'":
            _copy(text, s + 1, e - 1, out, ps, pe)
        else:
            _copy(text, s + 1, e, out, ps, pe)
        return True
    if t == "ansi_c_string":
        end = e - 1 if e - s >= 3 and text[e - 1] == "'" else e
        _ansi_c(text, s + 2, end, out, ps, pe)
        return True
    if t == "string":
        cur = s
        for k in node.children:
            ks, ke = k.start_byte, k.end_byte
            if ks > cur:
                _unescape(text, cur, ks, out, ps, pe, _DQ_SPECIAL)
            kt = k.type
            if kt == "string_content":
                _unescape(text, ks, ke, out, ps, pe, _DQ_SPECIAL)
            elif kt != '"':
                _unescape(text, ks, ke, out, ps, pe, _NOTHING)
            cur = max(cur, ke)
        if e > cur:
            _unescape(text, cur, e, out, ps, pe, _DQ_SPECIAL)
        return True
    if t in ("concatenation", "command_name", "variable_assignment"):
        q = False
        cur = s
        for k in node.children:
            ks = k.start_byte
            if ks > cur:
                q = _unescape(text, cur, ks, out, ps, pe, None) or q
            q = _unquote(k, text, out, ps, pe) or q
            cur = max(cur, k.end_byte)
        if e > cur:
            q = _unescape(text, cur, e, out, ps, pe, None) or q
        return q
    if node.child_count == 0:  # word, number, variable_name, ...
        raw = text[s:e]
        if "\\" not in raw:
            out.append(raw)
            if ps is not None:
                ps.extend(range(s, e))
                pe.extend(range(s + 1, e + 1))
            return False
        return _unescape(text, s, e, out, ps, pe, None)
    # expansions, substitutions, brace expressions...: literal (minus line continuations)
    _unescape(text, s, e, out, ps, pe, _NOTHING)
    return False


# ---------------------------------------------------------------------------------------------
# Wrappers and `sh -c`


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _option_width(t: str, short_valued: str, long_valued, optional: str,
                  seen: list[str] | None = None) -> int:
    """How many words the option `t` takes (1, or 2 when its value is the next word)."""
    if t[1] == "-":
        name = t[2:]
        if seen is not None:
            seen.append(name.split("=", 1)[0])
        return 2 if "=" not in name and name in long_valued else 1
    for j in range(1, len(t)):
        ch = t[j]
        if seen is not None:
            seen.append(ch)
        if ch in short_valued:
            return 2 if j == len(t) - 1 else 1
        if ch in optional:
            return 1
    return 1


def _skip_options(words: list[list], i: int, short_valued: str, long_valued, optional: str,
                  seen: list[str] | None = None) -> int:
    """Index of the first operand at or after `i`, skipping options (and their values)."""
    n = len(words)
    while i < n:
        t = words[i][0]
        if t == "--":
            return i + 1
        if len(t) < 2 or t[0] != "-":
            return i
        i += _option_width(t, short_valued, long_valued, optional, seen)
    return i


def _peel_wrappers(words: list[list], assignments: list, wrappers: list[str]) -> list[list]:
    """Strip wrapper commands off the front of `words` and return the wrapped command's words.
    Wrapper names are appended to `wrappers`, their `NAME=value` operands to `assignments`."""
    i = 0
    n = len(words)
    while i < n:
        name = _basename(words[i][0])
        spec = _WRAPPERS.get(name)
        if spec is None:
            break
        short_valued, long_valued, optional, operands = spec
        j = i + 1
        new_assignments: list[tuple[str, str]] = []
        seen: list[str] = []
        if name == "env":
            split_words = None
            while j < n:
                t = words[j][0]
                if t == "-" or t == "--":
                    j += 1
                    if t == "--":
                        break
                    continue
                if t.startswith("-S") or t.startswith("--split-string"):
                    # env -S 'cmd args': the value is split into words (spans: the whole word)
                    if t in ("-S", "--split-string"):
                        if j + 1 >= n:
                            j += 1
                            break
                        w = words[j + 1]
                        j += 2
                    else:
                        w = words[j]
                        j += 1
                        t = t[2:] if t.startswith("-S") else t.split("=", 1)[-1]
                        w = [t, w[1], w[2], w[3], w[4]]
                    split_words = [[p, w[1], w[2], w[3], w[4]] for p in w[0].split()]
                    break
                if len(t) > 1 and t[0] == "-":
                    j += _option_width(t, short_valued, long_valued, optional)
                    continue
                break
            if split_words is not None:
                words = words[:j] + split_words + words[j:]
                n = len(words)
        elif name == "command":
            j = _skip_options(words, j, short_valued, long_valued, optional, seen)
            if "v" in seen or "V" in seen:  # `command -v x` looks x up, does not run it
                break
        else:
            j = _skip_options(words, j, short_valued, long_valued, optional)
        if name in _ASSIGNING_WRAPPERS:
            while j < n and re.match(_NAME_RE, words[j][0]):
                nm, _, val = words[j][0].partition("=")
                new_assignments.append((nm, val))
                j += 1
        j += operands
        if j >= n:  # no wrapped command: the wrapper itself is the command
            break
        wrappers.append(name)
        assignments.extend(new_assignments)
        i = j
    return words[i:]


def _shell_c_payload(words: list[list]) -> tuple[list, int] | None:
    """For `sh -c STRING ...` / `su -c STRING user`: (word holding STRING, prefix chars to skip)."""
    name = _basename(words[0][0])
    n = len(words)
    if name in _SHELLS:
        i = 1
        has_c = False
        while i < n:
            t = words[i][0]
            if t in ("--", "-"):
                i += 1
                break
            if len(t) > 1 and t[0] in "-+":
                if t[1] == "-":
                    i += 2 if t in ("--rcfile", "--init-file") else 1
                    continue
                letters = t[1:]
                if "c" in letters:
                    has_c = True
                i += 1 + letters.count("o") + letters.count("O")
                continue
            break
        if has_c and i < n:
            return words[i], 0
        return None
    if name in _SU:
        i = 1
        while i < n:
            t = words[i][0]
            if t in ("-c", "--command"):
                return (words[i + 1], 0) if i + 1 < n else None
            if t.startswith("--command="):
                return words[i], len("--command=")
            if t == "--":
                return None
            i += 2 if t in _SU_VALUED else 1
    return None
