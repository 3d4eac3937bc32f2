"""The VS Code extension bundles the server's dependencies from client/requirements.txt (hash-pinned,
generated from uv.lock). These checks keep it in step with pyproject.toml; they need no network."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "client" / "scripts" / "bundle_server.py"


@pytest.fixture(scope="module")
def bundle():
    spec = importlib.util.spec_from_file_location("bundle_server", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_requirements_pin_what_pyproject_pins(bundle):
    entries = bundle.parse_requirements(bundle.REQUIREMENTS.read_text(encoding="utf-8"))
    pinned = {name: req.split("==", 1)[1] for name, req, _, _ in entries}
    for name, version in bundle.project_dependencies().items():
        assert pinned.get(name) == version, (
            f"client/requirements.txt pins {name}=={pinned.get(name)}, pyproject.toml {version}: "
            "run client/scripts/update-requirements.sh"
        )


def test_every_requirement_is_hash_pinned(bundle):
    entries = bundle.parse_requirements(bundle.REQUIREMENTS.read_text(encoding="utf-8"))
    assert entries
    for name, req, _, hashes in entries:
        assert "==" in req, name
        assert hashes and all(h.startswith("sha256:") for h in hashes), name


def test_markers_are_evaluated_for_the_target_python_not_the_build_python(bundle):
    text = 'a==1 \\\n    --hash=sha256:00\nb==2 ; python_full_version < \'3.11\' \\\n    --hash=sha256:11\n'
    entries = bundle.parse_requirements(text)
    assert [(n, r, m) for n, r, m, _ in entries] == [("a", "a==1", None), ("b", "b==2", "python_full_version < '3.11'")]
    _, env = bundle.TARGETS["linux-x64"]
    assert bundle.Marker(entries[1][2]).evaluate(bundle.marker_env(env, "3.10"))
    assert not bundle.Marker(entries[1][2]).evaluate(bundle.marker_env(env, "3.12"))
