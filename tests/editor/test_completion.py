"""complete_at: RUN flags, --mount keys per type, enum values, manager-aware targets and snippets (pure)."""
import pytest

from cachemount.editor.completion import complete_at
from cachemount.semantics.pipeline import analyze

APP = "FROM python:3.12-slim AS deps\nFROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\n"


def complete(line, head=APP):
    """Results at `|` in the last line, with the replaced text of each."""
    text = head + line.replace("|", "") + "\n"
    offset = len(head) + line.index("|")
    results = complete_at(text, offset)
    for r in results:
        assert r.start <= offset <= r.end, r
        assert "\n" not in text[r.start:r.end]
    return text, offset, results


def labels(results, kind=None):
    return [r.label for r in results if kind is None or r.kind == kind]


@pytest.mark.parametrize("line", ["RUN -| pip install x", "RUN --| pip install x", "RUN --mo| pip install x",
                                  "RUN --mount=type=cache,target=/x --| pip install x"])
def test_run_flags(line):
    text, offset, results = complete(line)
    assert labels(results, "flag") == ["--mount", "--network", "--security", "--device"]
    mount = results[0]
    assert mount.insert_text == "--mount="
    word_start = text.rfind(" ", 0, offset) + 1
    assert mount.start == word_start
    snippet = [r for r in results if r.kind == "snippet"]
    assert [s.label for s in snippet] == ["--mount cache for pip"]
    assert snippet[0].insert_text == "--mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001"
    assert snippet[0].snippet == "--mount=type=cache,target=${1:/home/app/.cache/pip},uid=1001,gid=1001$0"


def test_used_flags_are_not_offered_again_except_mount():
    _, _, results = complete("RUN --network=none --| pip install x")
    assert labels(results, "flag") == ["--mount", "--security", "--device"]


def test_keys_for_default_type_and_type_first():
    _, _, results = complete("RUN --mount=| true")
    keys = labels(results, "key")
    assert keys[0] == "type" and results[0].preselect
    assert set(keys) == {"type", "target", "source", "from", "ro", "rw"}   # bind keys
    ro = next(r for r in results if r.label == "ro")
    assert ro.insert_text == "ro"
    assert next(r for r in results if r.label == "target").insert_text == "target="


@pytest.mark.parametrize("mtype,expected", [
    ("cache", {"target", "id", "sharing", "mode", "uid", "gid", "from", "source", "ro", "rw"}),
    ("tmpfs", {"target", "size", "ro", "rw"}),
    ("secret", {"target", "id", "source", "mode", "uid", "gid", "required", "env", "ro", "rw"}),
    ("ssh", {"target", "id", "mode", "uid", "gid", "required", "ro", "rw"}),
])
def test_keys_valid_for_the_type_and_not_used(mtype, expected):
    _, _, results = complete(f"RUN --mount=type={mtype},| true")
    assert set(labels(results, "key")) == expected
    _, _, results = complete(f"RUN --mount=type={mtype},target=/x,| true")
    assert set(labels(results, "key")) == expected - {"target"}
    _, _, results = complete(f"RUN --mount=type={mtype},dst=/x,ro,| true")
    assert set(labels(results, "key")) == expected - {"target", "ro", "rw"}


def test_key_prefix_span_and_key_before_existing_value():
    text, offset, results = complete("RUN --mount=type=cache,ta| true")
    target = next(r for r in results if r.label == "target")
    assert text[target.start:target.end] == "ta"
    text, offset, results = complete("RUN --mount=type=cache,ta|rget=/x true")
    target = next(r for r in results if r.label == "target")
    assert text[target.start:target.end] == "target" and target.insert_text == "target"


def test_enum_values():
    _, _, results = complete("RUN --mount=type=| true")
    assert labels(results) == ["bind", "cache", "tmpfs", "secret", "ssh"]
    _, _, results = complete("RUN --mount=type=cache,target=/x,sharing=| pip install x")
    assert labels(results) == ["shared", "private", "locked"]
    assert not any(r.preselect for r in results)
    _, _, results = complete("RUN --mount=type=cache,target=/x,sharing=| apt-get install -y curl", "FROM debian:12\n")
    assert [r.label for r in results if r.preselect] == ["locked"]
    _, _, results = complete("RUN --mount=type=cache,target=/x,ro=| true")
    assert labels(results) == ["true", "false"]
    _, _, results = complete("RUN --network=| true")
    assert labels(results) == ["default", "none", "host"]
    _, _, results = complete("RUN --security=| true")
    assert labels(results) == ["sandbox", "insecure"]


def test_target_suggestions_follow_the_user():
    text, offset, results = complete("RUN --mount=type=cache,target=/ho| pip install x")
    assert labels(results) == ["/home/app/.cache/pip"]
    assert text[results[0].start:results[0].end] == "/ho"
    _, _, results = complete("RUN --mount=type=cache,target=| pip install x", "FROM python:3.12-slim\n")
    assert labels(results) == ["/root/.cache/pip"]
    _, _, results = complete("RUN --mount=type=cache,target=| apt-get update && apt-get install -y curl",
                             "FROM debian:12\n")
    assert set(labels(results)) >= {"/var/cache/apt"}
    # already mounted targets are not offered again
    _, _, results = complete("RUN --mount=type=cache,target=/root/.cache/pip --mount=type=cache,target=| "
                             "pip install x", "FROM python:3.12-slim\n")
    assert labels(results) == []


def test_target_suggestions_from_the_stage_when_this_run_has_no_manager_yet():
    head = "FROM python:3.12-slim\nRUN pip install x\n"
    _, _, results = complete("RUN --mount=type=cache,target=|", head)
    assert labels(results) == ["/root/.cache/pip"]
    assert "line 2" in results[0].detail


def test_whole_mount_snippets_per_manager():
    _, _, results = complete("RUN --mount=| pip install x && npm ci", "FROM node:22\n")
    snippets = [r for r in results if r.kind == "snippet"]
    assert [s.label for s in snippets] == ["type=cache for pip", "type=cache for npm"]
    assert snippets[1].insert_text == "type=cache,target=/root/.npm"
    assert snippets[1].snippet == "type=cache,target=${2:/root/.npm}$0"
    _, _, results = complete("RUN --mount=| apt-get update && apt-get install -y curl", "FROM debian:12\n")
    apt = next(r for r in results if r.kind == "snippet")
    assert apt.insert_text.count("--mount=") == 1 and apt.insert_text.count("type=cache") == 2
    assert apt.insert_text.count("sharing=locked") == 2
    assert "${1:" in apt.snippet and "${2:" in apt.snippet


def test_uid_gid_and_from_and_id_values():
    _, _, results = complete("RUN --mount=type=cache,target=/x,uid=| pip install x")
    assert labels(results) == ["1001"]
    _, _, results = complete("RUN --mount=type=cache,target=/x,gid=| pip install x")
    assert labels(results) == ["1001"]
    _, _, results = complete("RUN --mount=type=bind,target=/x,from=| true")
    assert labels(results) == ["deps"]
    head = "FROM node:22\nRUN --mount=type=cache,id=npm-cache,target=/root/.npm npm ci\n"
    _, _, results = complete("RUN --mount=type=cache,target=/x,id=| true", head)
    assert "npm-cache" in labels(results)


def test_nothing_outside_run_flags():
    for line in ["RUN pip install -| x", "RUN pip install x -|", "COPY --|from=a / /", "FROM x|",
                 "RUN echo --mount=|"]:
        assert complete(line)[2] == [], line
    assert complete_at("", 0) == []
    assert complete_at("RUN --mount=", 99) != []


def test_quoted_mount_value():
    _, _, results = complete('RUN --mount="type=cache,|" pip install x')
    assert "target" in labels(results)


def test_non_ascii_before_cursor():
    text, offset, results = complete("RUN --mount=type=cache,target=/😀/日本,sharing=| pip install x")
    assert labels(results) == ["shared", "private", "locked"]
    assert results[0].start == offset


def test_reuses_a_given_analysis():
    text = APP + "RUN --mount=type=cache,target= pip install x\n"
    offset = text.index("target=") + len("target=")
    assert complete_at(text, offset, analysis=analyze(text)) == complete_at(text, offset)


def test_never_raises_on_junk():
    for text in ["RUN --mount=", "RUN --mount=,,,=,", "RUN -", "RUN --mount=type=cache,target=$(",
                 "RUN --mount=\"unterminated", "RUN --network=", "\x00RUN --", "RUN \\\n  --mount=ty"]:
        for i in range(len(text) + 1):
            complete_at(text, i)


def test_flags_on_continuation_lines():
    text = ("FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    --mount=type=cache,sh \\\n    pip install x\n")
    offset = text.index(",sh") + 3
    results = complete_at(text, offset)
    sharing = next(r for r in results if r.label == "sharing")
    assert text[sharing.start:sharing.end] == "sh"
    assert "type" not in [r.label for r in results]


def _by_sort_text(results):
    return [r.label for r in sorted(results, key=lambda r: r.sort_text)]


def test_targets_under_a_non_root_user_list_the_users_dirs_first():
    # apt-get comes first in the command, but its dirs are system dirs: the user's own come first
    _, _, results = complete("RUN --mount=type=cache,target=| apt-get update && pip install x && npm ci")
    assert _by_sort_text(results) == ["/home/app/.cache/pip", "/home/app/.npm", "/var/cache/apt", "/var/lib/apt/lists"]
    assert [r.label for r in results if r.preselect] == ["/home/app/.cache/pip"]


def test_targets_from_the_stage_put_this_users_dir_before_roots():
    head = "FROM python:3.12-slim\nRUN pip install a\nRUN useradd -m -u 1001 app\nUSER app\n"
    _, _, results = complete("RUN --mount=type=cache,target=| true", head)
    ordered = sorted(results, key=lambda r: r.sort_text)
    # pip ran as root on line 2; this RUN runs as app: where pip caches for app, then root's dir
    assert [r.label for r in ordered] == ["/home/app/.cache/pip", "/root/.cache/pip"]
    assert ordered[0].preselect and "USER app" in ordered[0].detail and "line 2" in ordered[0].detail
    assert "line 2" in ordered[1].detail and not ordered[1].preselect
    # a RUN of both users in the stage: the one that ran as app names its own line
    head2 = head + "RUN pip install --user b\n"
    _, _, results = complete("RUN --mount=type=cache,target=| true", head2)
    ordered = sorted(results, key=lambda r: r.sort_text)
    assert [r.label for r in ordered] == ["/home/app/.cache/pip", "/root/.cache/pip"]
    assert "line 5" in ordered[0].detail


def test_targets_under_root_keep_roots_dirs_first():
    head = "FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\nRUN pip install --user b\nUSER root\n"
    _, _, results = complete("RUN --mount=type=cache,target=| true", head)
    assert _by_sort_text(results) == ["/root/.cache/pip", "/home/app/.cache/pip"]
