"""Tests for cachemount.shell.parse_commands: RUN body -> simple commands with document spans."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cachemount.shell import SimpleCommand, parse_commands
from cachemount.shell import parse as parse_mod


def words(cmd: SimpleCommand) -> list[str]:
    return [w.text for w in cmd.words]


def all_words(text: str, origin=0) -> list[list[str]]:
    return [words(c) for c in parse_commands(text, origin)]


def check_spans(doc: str, cmds: list[SimpleCommand]) -> None:
    """Every span lies inside the document and every command span contains its words."""
    for c in cmds:
        assert 0 <= c.start <= c.end <= len(doc), c
        for w in c.words:
            assert c.start <= w.start < w.end <= c.end, (c, w)


# ---------------------------------------------------------------------------------------------
# Command structure: every construct yields its simple commands in source order

STRUCTURE = [
    ("and", "a x && b y", [["a", "x"], ["b", "y"]]),
    ("or", "a || b", [["a"], ["b"]]),
    ("semicolon", "a; b ;c", [["a"], ["b"], ["c"]]),
    ("newline", "a\nb\n\nc", [["a"], ["b"], ["c"]]),
    ("background", "a & b", [["a"], ["b"]]),
    ("pipe", "a | b |& c", [["a"], ["b"], ["c"]]),
    ("negation", "! a && b", [["a"], ["b"]]),
    ("subshell", "(cd /x && make) && c", [["cd", "/x"], ["make"], ["c"]]),
    ("group", "{ a; b; } || c", [["a"], ["b"], ["c"]]),
    ("if", "if [ -f x ]; then a; elif b; then c; else d; fi",
     [["a"], ["b"], ["c"], ["d"]]),
    ("if condition command", "if grep -q x f; then y; fi", [["grep", "-q", "x", "f"], ["y"]]),
    ("for", "for i in 1 2; do e $i; done", [["e", "$i"]]),
    ("c-style for", "for ((i=0;i<3;i++)); do z; done", [["z"]]),
    ("while", "while f; do g; done", [["f"], ["g"]]),
    ("until", "until h; do i; done", [["h"], ["i"]]),
    ("case", "case $x in a|b) j ;; *) k;; esac", [["j"], ["k"]]),
    ("function", "fn() { l; }; function m { n; }; fn", [["l"], ["n"], ["fn"]]),
    ("redirections", "a > f 2>&1 && b < in >> out", [["a"], ["b"]]),
    ("redirection before args", "pip install x 2>/dev/null --user && y",
     [["pip", "install", "x", "--user"], ["y"]]),
    ("redirection on pipeline", "a | tee 2>f q", [["a"], ["tee", "q"]]),
    ("herestring", "cat <<< \"pip install\" z", [["cat", "z"]]),
    ("command substitution", "echo \"$(pip install x)\" `ls -l`",
     [["echo", "$(pip install x)", "`ls -l`"], ["pip", "install", "x"], ["ls", "-l"]]),
    ("substitution in assignment", "V=$(uname -m) make",
     [["make"], ["uname", "-m"]]),
    ("substitution in for list", "for f in $(ls /x); do rm $f; done", [["ls", "/x"], ["rm", "$f"]]),
    ("process substitution", "diff <(ls a) b", [["diff", "<(ls a)", "b"], ["ls", "a"]]),
    ("nested substitution", "a $(b $(c))", [["a", "$(b $(c))"], ["b", "$(c)"], ["c"]]),
    ("test command substitution", "[ -n \"$(id -u)\" ] && x", [["id", "-u"], ["x"]]),
    ("continuations", "apt-get update \\\n  && apt-get install -y \\\n    curl",
     [["apt-get", "update"], ["apt-get", "install", "-y", "curl"]]),
    ("continuation inside a word", "pip ins\\\ntall x", [["pip", "install", "x"]]),
    ("comment", "a # pip install x\n# b\nc", [["a"], ["c"]]),
    ("echo strings are not commands", "echo \"pip install x\" 'apt-get y'",
     [["echo", "pip install x", "apt-get y"]]),
    ("printf", "printf '%s\\n' 'pip install x'", [["printf", "%s\\n", "pip install x"]]),
    ("inner heredoc", "cat <<EOF > f\npip install x\nEOF", [["cat"]]),
    ("inner heredoc quoted, then command", "cat <<'EOF' > f\npip install x\nEOF\nnpm ci",
     [["cat"], ["npm", "ci"]]),
    ("heredoc body substitutions are not harvested",
     "cat <<EOF > f\nx=$(pip install x)\nEOF\nb", [["cat"], ["b"]]),
    ("heredoc then pipe", "cat <<EOF | sh\npip install x\nEOF", [["cat"], ["sh"]]),
    ("heredoc then and", "cat <<EOF && npm ci\nbody\nEOF", [["cat"], ["npm", "ci"]]),
    ("keywords as args", "echo if then fi done", [["echo", "if", "then", "fi", "done"]]),
]


@pytest.mark.parametrize("text,expected", [(t, e) for _, t, e in STRUCTURE],
                         ids=[i for i, _, _ in STRUCTURE])
def test_structure(text, expected):
    cmds = parse_commands(text)
    assert [words(c) for c in cmds] == expected
    check_spans(text, cmds)
    for c in cmds:
        assert not c.via_shell_c


def test_source_order_is_by_start():
    text = "a && (b; { c | d; }) || if e; then f $(g); fi; for x in y; do h; done"
    cmds = parse_commands(text)
    assert [c.name for c in cmds] == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert [c.start for c in cmds] == sorted(c.start for c in cmds)


# ---------------------------------------------------------------------------------------------
# Words: unquoted text, quoted flag, raw spans

WORDS = [
    ("single quotes", "x 'a b'", "a b", True),
    ("double quotes", 'x "x"', "x", True),
    ("escaped blank", "x a\\ b", "a b", True),
    ("concatenation", 'x --cache-dir="$X"/y', "--cache-dir=$X/y", True),
    ("expansion stays literal", "x $HOME", "$HOME", False),
    ("braced expansion", "x ${X:-d}", "${X:-d}", False),
    ("substitution literal", "x $(cmd a)", "$(cmd a)", False),
    ("dq escapes", 'x "a\\"b\\$c\\\\d\\q"', 'a"b$c\\d\\q', True),
    ("ansi-c", "x $'a\\tb'", "a\tb", True),
    ("locale string", 'x $"tr"', "tr", True),
    ("plain", "x --no-cache-dir", "--no-cache-dir", False),
    ("empty string", 'x ""', "", True),
    ("mixed", "x a'b'\"c\"d", "abcd", True),
]


@pytest.mark.parametrize("text,value,quoted", [(t, v, q) for _, t, v, q in WORDS],
                         ids=[i for i, *_ in WORDS])
def test_word_values(text, value, quoted):
    cmd = parse_commands(text)[0]
    w = cmd.words[1]
    assert (w.text, w.quoted) == (value, quoted)
    assert text[w.start:w.end] == text[2:]  # the raw word


@pytest.mark.parametrize("text,expected", [
    ("/usr/local/bin/pip install x", ["/usr/local/bin/pip", "install", "x"]),
    ("pip3.12 install x", ["pip3.12", "install", "x"]),
    ("./mvnw -B package", ["./mvnw", "-B", "package"]),
    ("python3 -m pip install x", ["python3", "-m", "pip", "install", "x"]),
    ("corepack pnpm install", ["corepack", "pnpm", "install"]),
    ('"$PIP" install x', ["$PIP", "install", "x"]),
])
def test_executables_kept_as_written(text, expected):
    (cmd,) = parse_commands(text)
    assert words(cmd) == expected
    assert cmd.wrappers == ()


def test_name_is_basename():
    (cmd,) = parse_commands("/usr/local/bin/pip install x")
    assert cmd.name == "pip"
    assert [a.text for a in cmd.args] == ["install", "x"]


# ---------------------------------------------------------------------------------------------
# Assignments, declarations


def test_assignment_prefixes():
    text = 'PIP_NO_CACHE_DIR=1 B="x y" pip install x'
    (cmd,) = parse_commands(text)
    assert cmd.assignments == (("PIP_NO_CACHE_DIR", "1"), ("B", "x y"))
    assert words(cmd) == ["pip", "install", "x"]
    assert (cmd.start, cmd.end) == (0, len(text))
    assert cmd.words[0].start == text.index("pip")


@pytest.mark.parametrize("text,assignments", [
    ("A=b", (("A", "b"),)),
    ("A=1 B='two'", (("A", "1"), ("B", "two"))),
    ("A=", (("A", ""),)),
    ('A="$(uname -m)"', (("A", "$(uname -m)"),)),
])
def test_bare_assignment(text, assignments):
    cmd = parse_commands(text)[0]
    assert cmd.words == ()
    assert cmd.assignments == assignments
    assert cmd.name == ""


def test_bare_assignment_substitution_is_harvested():
    assert all_words('A="$(uname -m)"; b') == [[], ["uname", "-m"], ["b"]]


def test_option_with_equals_is_not_an_assignment():
    (cmd,) = parse_commands("--mount=a=b x")
    assert words(cmd) == ["--mount=a=b", "x"]
    assert cmd.assignments == ()


def test_assignment_after_command_is_an_argument():
    (cmd,) = parse_commands("make CC=gcc all")
    assert words(cmd) == ["make", "CC=gcc", "all"]
    assert cmd.assignments == ()


@pytest.mark.parametrize("text,expected", [
    ("export A=b C", ["export", "A=b", "C"]),
    ('export PATH="/opt/venv/bin:$PATH"', ["export", "PATH=/opt/venv/bin:$PATH"]),
    ('declare -x A="b c" B', ["declare", "-x", "A=b c", "B"]),
    ("local v=1", ["local", "v=1"]),
    ("readonly R", ["readonly", "R"]),
    ("typeset T=1", ["typeset", "T=1"]),
    ("export A+=x", ["export", "A+=x"]),
    ("unset A B", ["unset", "A", "B"]),
])
def test_declarations(text, expected):
    (cmd,) = parse_commands(text)
    assert words(cmd) == expected
    assert cmd.wrappers == ()
    for w in cmd.words:
        assert text[w.start:w.end].replace('"', "") == w.text


# ---------------------------------------------------------------------------------------------
# Wrappers

WRAPPERS = [
    ("sudo", "sudo pip install x", ("sudo",), (), ["pip", "install", "x"]),
    ("sudo options", "sudo -E -H -u app -- pip install x", ("sudo",), (), ["pip", "install", "x"]),
    ("sudo attached user", "sudo -uapp pip install x", ("sudo",), (), ["pip", "install", "x"]),
    ("sudo long user", "sudo --user app pip x", ("sudo",), (), ["pip", "x"]),
    ("sudo assignment", "sudo HOME=/h pip x", ("sudo",), (("HOME", "/h"),), ["pip", "x"]),
    ("env", "env X=1 Y='a b' pip install x", ("env",), (("X", "1"), ("Y", "a b")),
     ["pip", "install", "x"]),
    ("env options", "/usr/bin/env -i -u NAME -C /d X=1 pip x", ("env",), (("X", "1"),),
     ["pip", "x"]),
    ("env dash", "env - X=1 pip x", ("env",), (("X", "1"),), ["pip", "x"]),
    ("env split string", "env -S 'uv sync --frozen'", ("env",), (), ["uv", "sync", "--frozen"]),
    ("xargs", "xargs -0 -n 1 -I{} -P4 -L 1 -d , -s 100 -a f -E x pip install {}", ("xargs",), (),
     ["pip", "install", "{}"]),
    ("xargs long", "xargs --max-args=1 --max-procs 4 -r pip download", ("xargs",), (),
     ["pip", "download"]),
    ("time", "time pip install x", ("time",), (), ["pip", "install", "x"]),
    ("time -p", "time -p go build", ("time",), (), ["go", "build"]),
    ("nice", "nice -n 10 make", ("nice",), (), ["make"]),
    ("nice numeric", "nice -5 make", ("nice",), (), ["make"]),
    ("nohup", "nohup ./run.sh", ("nohup",), (), ["./run.sh"]),
    ("exec", "exec gunicorn app", ("exec",), (), ["gunicorn", "app"]),
    ("command -p", "command -p pip install x", ("command",), (), ["pip", "install", "x"]),
    ("stdbuf", "stdbuf -oL -e 0 pip install x", ("stdbuf",), (), ["pip", "install", "x"]),
    ("timeout", "timeout -s KILL -k 5 10m pip install x", ("timeout",), (),
     ["pip", "install", "x"]),
    ("timeout long", "timeout --signal=KILL --preserve-status 30 npm ci", ("timeout",), (),
     ["npm", "ci"]),
    ("eatmydata", "eatmydata apt-get install -y x", ("eatmydata",), (),
     ["apt-get", "install", "-y", "x"]),
    ("ionice", "ionice -c2 -n 7 make", ("ionice",), (), ["make"]),
    ("nested", "sudo -E env X=1 nice pip install", ("sudo", "env", "nice"), (("X", "1"),),
     ["pip", "install"]),
    ("nested with prefix", "A=1 time sudo -u u env -u Z B=2 xargs -n1 pip x",
     ("time", "sudo", "env", "xargs"), (("A", "1"), ("B", "2")), ["pip", "x"]),
    ("command -v is a lookup", "command -v pip", (), (), ["command", "-v", "pip"]),
    ("wrapper alone stays", "sudo -l", (), (), ["sudo", "-l"]),
    ("env alone stays", "env", (), (), ["env"]),
    ("xargs alone stays", "xargs -0", (), (), ["xargs", "-0"]),
]


@pytest.mark.parametrize("text,wrappers,assignments,expected",
                         [w[1:] for w in WRAPPERS], ids=[w[0] for w in WRAPPERS])
def test_wrappers(text, wrappers, assignments, expected):
    (cmd,) = parse_commands(text)
    assert words(cmd) == expected
    assert cmd.wrappers == wrappers
    assert cmd.assignments == assignments
    assert (cmd.start, cmd.end) == (0, len(text))  # the span keeps wrappers and prefixes


def test_wrapper_word_spans_point_at_the_wrapped_command():
    text = "find . -name '*.txt' | xargs -I{} sudo -u bob pip install {}"
    cmds = parse_commands(text)
    pip = cmds[1]
    assert pip.name == "pip"
    assert [text[w.start:w.end] for w in pip.words] == ["pip", "install", "{}"]


# ---------------------------------------------------------------------------------------------
# sh -c and friends: recursive parsing with exact spans


def raw_words(doc: str, cmd: SimpleCommand) -> list[str]:
    return [doc[w.start:w.end] for w in cmd.words]


@pytest.mark.parametrize("text,inner", [
    ("sh -c 'pip install x && npm ci'", [["pip", "install", "x"], ["npm", "ci"]]),
    ('bash -c "pip install x; npm ci"', [["pip", "install", "x"], ["npm", "ci"]]),
    ("/bin/sh -c 'apt-get update'", [["apt-get", "update"]]),
    ("bash -ec 'apt-get update'", [["apt-get", "update"]]),
    ("sh -xc 'apt-get update'", [["apt-get", "update"]]),
    ("bash -o pipefail -c 'a | b'", [["a"], ["b"]]),
    ("bash -e -x -c 'a' arg0 arg1", [["a"]]),
    ("su -c 'npm ci' node", [["npm", "ci"]]),
    ("su node -c 'npm ci'", [["npm", "ci"]]),
    ("su - node --command='npm ci'", [["npm", "ci"]]),
    ("sh -c ls", [["ls"]]),
    ('sh -c "pip install $PKG ${X}"', [["pip", "install", "$PKG", "${X}"]]),
    ("sudo -u app sh -c 'pip install x'", [["pip", "install", "x"]]),
    ("xargs -I{} sh -c 'pip install {}'", [["pip", "install", "{}"]]),
    ("sh -c 'sh -c \"pip install x\"'", [["sh", "-c", "pip install x"], ["pip", "install", "x"]]),
])
def test_shell_c(text, inner):
    cmds = parse_commands(text)
    outer, rest = cmds[0], cmds[1:]
    assert not outer.via_shell_c
    assert [words(c) for c in rest] == inner
    for c in rest:
        assert c.via_shell_c
        # raw document text of each word unquotes to the word (single-level quoting here)
        for w, raw in zip(c.words, raw_words(text, c)):
            assert raw.strip("'\"") == w.text or raw == w.text, (raw, w)
    check_spans(text, cmds)


def test_shell_c_single_quoted_spans_exact():
    doc = "RUN sh -c 'pip install  --user x'"
    origin = 4
    cmds = parse_commands(doc[origin:], origin)
    inner = cmds[1]
    assert raw_words(doc, inner) == ["pip", "install", "--user", "x"]
    assert doc[inner.start:inner.end] == "pip install  --user x"


def test_shell_c_double_quoted_escapes_mapped():
    doc = 'sh -c "pip install \\"a b\\" \\$HOME && ls"'
    cmds = parse_commands(doc)
    pip, ls = cmds[1], cmds[2]
    assert words(pip) == ["pip", "install", "a b", "$HOME"]
    assert raw_words(doc, pip) == ["pip", "install", '\\"a b\\"', "\\$HOME"]
    assert pip.words[2].quoted
    assert raw_words(doc, ls) == ["ls"]
    assert doc[ls.end] == '"'


def test_shell_c_continuation_in_double_quotes():
    doc = 'sh -c "apt-get update && \\\n  apt-get install -y x"'
    cmds = parse_commands(doc)
    assert [words(c) for c in cmds[1:]] == [["apt-get", "update"],
                                             ["apt-get", "install", "-y", "x"]]
    assert raw_words(doc, cmds[2]) == ["apt-get", "install", "-y", "x"]


def test_shell_c_inherits_wrappers_and_env():
    cmds = parse_commands("sudo env PIP_NO_CACHE_DIR=1 sh -c 'pip install x'")
    assert words(cmds[0]) == ["sh", "-c", "pip install x"]
    inner = cmds[1]
    assert inner.via_shell_c
    assert inner.wrappers == ("sudo", "env")
    assert inner.assignments == (("PIP_NO_CACHE_DIR", "1"),)


def test_sh_without_c_is_not_reparsed():
    assert all_words("sh ./install.sh 'pip install x'") == [["sh", "./install.sh", "pip install x"]]


# ---------------------------------------------------------------------------------------------
# Origins and offsets


def test_int_origin_shifts():
    doc = "FROM x\nRUN pip install x && npm ci\n"
    origin = doc.index("pip")
    body = doc[origin:-1]
    cmds = parse_commands(body, origin)
    assert [raw_words(doc, c) for c in cmds] == [["pip", "install", "x"], ["npm", "ci"]]
    assert doc[cmds[1].start:cmds[1].end] == "npm ci"


def test_sequence_origin_maps_each_char():
    # The document has `\`-newline continuations removed from the text handed over.
    doc = "RUN pip install \\\n  x && npm ci"
    text = "pip install x && npm ci"
    origin = list(range(4, 4 + 12)) + list(range(doc.index("x && "), len(doc))) + [len(doc)]
    assert len(origin) == len(text) + 1
    assert "".join(doc[i] for i in origin[:-1]) == text
    cmds = parse_commands(text, origin)
    assert [raw_words(doc, c) for c in cmds] == [["pip", "install", "x"], ["npm", "ci"]]
    assert doc[cmds[0].start:cmds[0].end] == "pip install \\\n  x"
    assert cmds[1].end == len(doc)


def test_sequence_origin_with_shell_c():
    doc = "xx sh -c 'pip install y'"
    text = doc[3:]
    cmds = parse_commands(text, list(range(3, len(doc) + 1)))
    assert raw_words(doc, cmds[1]) == ["pip", "install", "y"]


@pytest.mark.parametrize("prefix", [
    "echo 🎉 && ", "🎉; ", "日本語; ", "echo 'é ü ß' ; ", "# ✓ comment\n", "x=🐍🐍 ",
])
def test_non_ascii_offsets(prefix):
    doc = "RUN " + prefix + "pip install ünïcode 'ça va' && sh -c 'npm ci 日本'"
    origin = 4
    cmds = parse_commands(doc[origin:], origin)
    pip = next(c for c in cmds if c.name == "pip")
    assert raw_words(doc, pip) == ["pip", "install", "ünïcode", "'ça va'"]
    assert words(pip) == ["pip", "install", "ünïcode", "ça va"]
    npm = next(c for c in cmds if c.name == "npm")
    assert npm.via_shell_c
    assert raw_words(doc, npm) == ["npm", "ci", "日本"]


def test_astral_chars_in_double_quoted_payload():
    doc = 'sh -c "echo 🎉🎉 && pip install \\"𝒳\\""'
    pip = parse_commands(doc)[-1]
    assert words(pip) == ["pip", "install", "𝒳"]
    assert raw_words(doc, pip) == ["pip", "install", '\\"𝒳\\"']


def test_crlf_continuation():
    doc = "apt-get update \\\r\n && apt-get install -y x"
    assert all_words(doc) == [["apt-get", "update"], ["apt-get", "install", "-y", "x"]]


# ---------------------------------------------------------------------------------------------
# Robustness


def test_error_nodes_still_harvest():
    assert all_words("pip install x && )) ; apt-get install y") == [
        ["pip", "install", "x"], ["apt-get", "install", "y"]]


@pytest.mark.parametrize("text", [
    "", "   ", "\\", "'", '"', "$(", "`", "${", "echo 'unbalanced", 'echo "unbalanced',
    "if then fi", "case", "((", "))", "<<EOF", "cat <<EOF\nno end", "\x00\x01\x02", "\ud800 x",
    "sh -c", "sh -c '", "su -c", "env -S", "sudo", "xargs -n", "a=(", "export", "!", "|",
])
def test_garbage_never_raises(text):
    cmds = parse_commands(text, 7)
    for c in cmds:
        assert 7 <= c.start <= c.end <= 7 + len(text)
        for w in c.words:
            assert 7 <= w.start <= w.end <= 7 + len(text)


def test_high_code_points_after_scanner_triggers():
    # tree-sitter-bash's scanner passes the lookahead code point to <ctype.h> isdigit/isalpha
    # (after `{`, `-`, `?`, `$`): code points far above 255 used to crash the interpreter.
    points = [0xE0000, 0xF8481, 0x1005AF, 0x10FFFF, 0x2C6CA, 0x1F389, 0xFFFF]
    points += list(range(0xE0000, 0x10FFFF, 0x1111))
    for cp in points:
        for trigger in ("{", "[ -", "${x?", "cat <<E\n$", "echo ${", "a=( {"):
            text = trigger + chr(cp) + "j; pip install x"
            cmds = parse_commands(text)
            for c in cmds:
                for w in c.words:
                    assert 0 <= w.start <= w.end <= len(text)


def test_unbalanced_quote_keeps_earlier_commands():
    assert all_words("pip install x && echo 'oops && npm ci")[0] == ["pip", "install", "x"]


def test_random_bytes_never_raise():
    rng = random.Random(1234)
    for _ in range(50):
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 2000)))
        text = data.decode("utf-8", errors="replace")
        for c in parse_commands(text, 3):
            for w in c.words:
                assert 3 <= w.start <= w.end <= 3 + len(text)


def test_large_input():
    text = ("apt-get install -y 'x' \"$(y)\" && ((" * 6000)[:200_000]
    cmds = parse_commands(text)
    assert len(text) == 200_000
    assert cmds and cmds[0].name == "apt-get"
    for c in cmds:
        assert 0 <= c.start <= c.end <= len(text)


def test_deeply_nested_shell_c_is_bounded():
    text = "pip x"
    for _ in range(12):
        text = 'sh -c "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    cmds = parse_commands(text)
    assert cmds[0].name == "sh"
    check_spans(text, cmds)


def test_bad_origin_does_not_raise():
    (cmd,) = parse_commands("a b", [5])  # a short map is extended contiguously
    assert [(w.start, w.end) for w in cmd.words] == [(5, 6), (7, 8)]
    assert parse_commands(None) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Caching


def test_cached_results_are_independent_of_origin():
    text = "pip install x"
    a = parse_commands(text, 0)
    b = parse_commands(text, 100)
    c = parse_commands(text, 0)
    assert [w.start for w in a[0].words] == [0, 4, 12]
    assert [w.start for w in b[0].words] == [100, 104, 112]
    assert a == c
    a.clear()  # the caller owns the list
    assert parse_commands(text) == c


def test_cache_hit():
    text = "npm ci # cache test"
    parse_mod._analyse.cache_clear()
    parse_commands(text)
    parse_commands(text, 50)
    info = parse_mod._analyse.cache_info()
    assert (info.hits, info.misses) == (1, 1)


# ---------------------------------------------------------------------------------------------
# Property test

_FRAGMENTS = st.sampled_from([
    " ", "\n", "\\\n", "'", '"', "\\", "$", "(", ")", "{", "}", ";", "&&", "|", "<", ">", "`",
    "#", "<<EOF\n", "\nEOF\n", "pip", "install", "sh -c ", "sudo -u x ", "env X=1 ", "xargs -n ",
    "if ", "then ", "fi", "case ", "esac", "for ", "do ", "done", "$(", "${", "é", "🎉", "日",
    "\x00", chr(0xE0000), "A=1 ", "export ", "su -c ", "env -S ",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_FRAGMENTS, max_size=40).map("".join)),
       st.integers(min_value=0, max_value=10_000))
def test_property_any_text(text, origin):
    cmds = parse_commands(text, origin)
    for c in cmds:
        assert origin <= c.start <= c.end <= origin + len(text)
        for w in c.words:
            assert origin <= w.start <= w.end <= origin + len(text)
    seq = [origin + 2 * i for i in range(len(text) + 1)]
    for c in parse_commands(text, seq):
        for w in c.words:
            assert origin <= w.start <= w.end <= seq[-1]

