"""BuildContext: what is in the context, read the way BuildKit reads it, within bounds."""
import os

import pytest

from cachemount.build_context import tree
from cachemount.build_context.tree import BuildContext


def write(root, files):
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def test_exists_honours_dockerignore_and_exceptions(tmp_path):
    write(tmp_path, {"package.json": "{}", "package-lock.json": "{}", "secret.env": "x", "docs/a.md": "",
                     "docs/keep.md": "", ".dockerignore": "*.env\ndocs\n!docs/keep.md\n"})
    ctx = BuildContext(str(tmp_path))
    assert ctx.exists("package.json") and ctx.is_file("./package-lock.json")
    assert not ctx.exists("secret.env")
    assert not ctx.exists("docs/a.md") and ctx.exists("docs/keep.md")
    assert not ctx.exists("missing.txt")


def test_dockerfile_specific_ignore_file_wins(tmp_path):
    write(tmp_path, {"requirements.txt": "x", "build/app.Dockerfile": "FROM x\n",
                     "build/app.Dockerfile.dockerignore": "requirements.txt\n", ".dockerignore": ""})
    assert BuildContext(str(tmp_path)).exists("requirements.txt")
    ctx = BuildContext(str(tmp_path), str(tmp_path / "build" / "app.Dockerfile"))
    assert not ctx.exists("requirements.txt")
    assert ctx.ignore_file == str(tmp_path / "build" / "app.Dockerfile.dockerignore")


def test_an_ignore_file_buildkit_rejects_makes_the_context_unusable(tmp_path):
    write(tmp_path, {"a": "", ".dockerignore": "!\n"})
    ctx = BuildContext(str(tmp_path))
    assert not ctx.usable and not ctx.exists("a")


def test_never_leaves_the_root(tmp_path):
    outside = tmp_path / "outside"
    write(outside, {"secret.txt": "s", "dir/x": "x"})
    root = tmp_path / "ctx"
    write(root, {"in/real.txt": "r"})
    os.symlink(outside / "secret.txt", root / "abs-link")          # absolute target
    os.symlink("../outside/secret.txt", root / "rel-link")         # relative target leaving the root
    os.symlink("../outside/dir", root / "dir-link")
    os.symlink("in/real.txt", root / "inner-link")                 # stays inside: fine
    os.symlink("../outside/.dockerignore", root / ".dockerignore")  # an ignore file outside is not read
    (outside / ".dockerignore").write_text("in\n")
    ctx = BuildContext(str(root))
    for rel in ("abs-link", "rel-link", "dir-link/x", "../outside/secret.txt", "/etc/passwd", "in/../../outside"):
        assert not ctx.exists(rel), rel
        assert ctx.read_text(rel) is None, rel
    assert ctx.exists("inner-link") and ctx.read_text("inner-link") == "r"
    assert ctx.ignore_file is None and ctx.exists("in/real.txt")


def test_reads_are_bounded(tmp_path, monkeypatch):
    write(tmp_path, {f"f{i}.txt": str(i) for i in range(10)})
    write(tmp_path, {"big.txt": "x" * 100})
    monkeypatch.setattr(tree, "MAX_READS", 4)
    monkeypatch.setattr(tree, "MAX_READ_BYTES", 50)
    ctx = BuildContext(str(tmp_path))
    assert ctx.read_text("big.txt") is None                 # over the byte bound: not read
    got = [ctx.read_text(f"f{i}.txt") for i in range(10)]
    assert got[:2] == ["0", "1"] and got[-1] is None and ctx.exhausted
    assert ctx.reads <= 4
    assert ctx.read_text("f0.txt") == "0"                   # remembered, no new read


def test_glob_lists_members_within_bounds(tmp_path, monkeypatch):
    write(tmp_path, {"packages/a/package.json": "{}", "packages/b/package.json": "{}", "packages/.hidden/x": "",
                     "packages/node_modules/c/package.json": "{}", "apps/web/sub/package.json": "{}",
                     "packages/file.txt": "", ".dockerignore": "packages/b\n"})
    ctx = BuildContext(str(tmp_path))
    assert ctx.glob("packages/*", dirs_only=True) == ["packages/a"]
    assert ctx.glob("apps/**/package.json") == ["apps/web/sub/package.json"]
    assert ctx.glob("packages/*/package.json") == ["packages/a/package.json"]
    monkeypatch.setattr(tree, "MAX_LISTED", 3)
    assert BuildContext(str(tmp_path)).glob("**/package.json") is None   # "cannot tell", never a partial list


@pytest.mark.parametrize("rel", ["a/../..", "../x", "/abs"])
def test_paths_outside_the_root_are_refused(tmp_path, rel):
    assert BuildContext.normalize(rel) is None
    assert not BuildContext(str(tmp_path)).exists(rel)
