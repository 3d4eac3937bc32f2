"""What the documents tell people to run to install cachemount and use it in pre-commit and CI names
things that exist: the wheel `uv build` makes, the hooks, the output formats; and no document
installs `cachemount` from PyPI, where it is not published."""
from __future__ import annotations

import re

import yaml

import cachemount
from cachemount.cli.commands import build_parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCUMENTS = [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "client" / "README.md",
             *sorted((REPO / "docs").rglob("*.md"))]


def _block(start: str) -> str:
    """The README's fenced code block that starts with `start`."""
    blocks = [b for b in re.findall(r"^```\w*\n(.*?)^```", README, re.S | re.M) if b.startswith(start)]
    assert len(blocks) == 1, f"README has {len(blocks)} blocks starting {start!r}"
    return blocks[0]


def test_no_document_installs_cachemount_from_pypi():
    published = re.compile(r"\b(?:pipx install|uv tool install|uvx|pip install)\s+(?:--\S+\s+)*cachemount(?![\w.@/-])")
    for doc in DOCUMENTS:
        hits = published.findall(doc.read_text(encoding="utf-8"))
        assert not hits, f"{doc.relative_to(REPO)}: {hits}"


def test_install_section_names_the_wheel_uv_build_makes():
    wheel = f"dist/cachemount-{cachemount.__version__}-py3-none-any.whl"
    block = _block("uv build ")
    assert f"uv tool install {wheel}" in block and f"pipx install {wheel}" in block
    assert f"# cachemount {cachemount.__version__}" in block


def test_pre_commit_snippet_uses_the_hooks_of_this_repository():
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    config = yaml.safe_load(_block("# .pre-commit-config.yaml\n"))
    (repo,) = config["repos"]
    assert repo["rev"] and {h["id"] for h in repo["hooks"]} <= hooks
    commented = re.findall(r"#\s*- id: (\S+)", _block("# .pre-commit-config.yaml\n"))
    assert set(commented) <= hooks and {h["id"] for h in repo["hooks"]} | set(commented) == hooks


def test_github_workflow_uses_formats_the_cli_has():
    workflow = yaml.safe_load(_block("# .github/workflows/dockerfiles.yml\n"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("cachemount ")]
    formats = {re.search(r"--format (\w+)", c).group(1) for c in commands}
    assert formats == {"github", "sarif"}
    for fmt in formats:
        assert build_parser().parse_args(["check", "--format", fmt]).format == fmt   # an unknown one exits 2
    uploads = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1 and uploads[0]["with"]["sarif_file"] in next(c for c in commands if "sarif" in c)
    scanning = next(job for job in workflow["jobs"].values() if uploads[0] in job["steps"])
    assert scanning["permissions"]["security-events"] == "write"
