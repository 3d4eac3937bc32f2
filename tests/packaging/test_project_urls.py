"""The links the tool hands out (SARIF `helpUri`/`informationUri`, the editor's code link, the package's
project URLs) all start from REPOSITORY_URL and name files that exist in this repository."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from cachemount.rules import RULES
from cachemount.rules.base import DOCS_URL, REPOSITORY_URL
from tests.conftest import REPO

BLOB = REPOSITORY_URL + "/blob/main/"


def _repo_file(url: str):
    assert url.startswith(BLOB), url
    return REPO / url.removeprefix(BLOB)


def _sarif_driver(tmp_path) -> dict:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12\nRUN pip install -r requirements.txt\n")
    proc = subprocess.run([sys.executable, "-m", "cachemount", "check", "--format", "sarif", str(dockerfile)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)["runs"][0]["tool"]["driver"]


def test_every_rule_links_to_its_page_in_this_repository():
    for rule in RULES:
        assert rule.docs_url == DOCS_URL.format(code=rule.code)
        page = _repo_file(rule.docs_url)
        assert page == REPO / "docs" / "rules" / f"{rule.code}.md" and page.is_file(), rule.docs_url


def test_sarif_links_point_at_files_in_this_repository(tmp_path):
    driver = _sarif_driver(tmp_path)
    assert driver["informationUri"] == REPOSITORY_URL   # the repository's front page: its README
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    for rule in driver["rules"]:
        assert _repo_file(rule["helpUri"]).is_file(), rule["helpUri"]


def test_pyproject_urls_name_the_same_repository():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^\[project\.urls\]\n(.*?)(?:^\[|\Z)", text, re.S | re.M)
    assert block, "pyproject.toml has no [project.urls]"
    urls = dict(re.findall(r'^(\w+)\s*=\s*"([^"]+)"', block.group(1), re.M))
    assert set(urls) == {"Homepage", "Repository", "Documentation", "Issues"}
    assert all(url.startswith(REPOSITORY_URL) for url in urls.values()), urls
