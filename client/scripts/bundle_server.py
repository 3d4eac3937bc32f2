#!/usr/bin/env python3
"""Install the cachemount server and its dependencies into client/bundled/libs for one VS Code target.

Like Microsoft's Python-tool extensions: `pip install --target bundled/libs --no-deps -r requirements.txt`
(hash-pinned, generated from uv.lock by scripts/update-requirements.sh), then the cachemount package
itself from this repository. The extension runs `python3 -m cachemount serve` with PYTHONPATH pointing
there.

Binary wheels (tree-sitter) are per platform and, for tree-sitter, per CPython version: for each
supported Python version the requirements are installed into a scratch directory with that
version's tags, and the results are merged (the pure-Python files are identical; the compiled
modules have version-specific names such as `_binding.cpython-312-x86_64-linux-gnu.so`).

usage: python3 scripts/bundle_server.py [--target linux-x64] [--python-versions 3.10,3.11,...]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from packaging.markers import Marker
except ImportError:  # pip is needed anyway, and it carries packaging
    from pip._vendor.packaging.markers import Marker

CLIENT = Path(__file__).resolve().parent.parent
REPO = CLIENT.parent
REQUIREMENTS = CLIENT / "requirements.txt"
OUT = CLIENT / "bundled" / "libs"
PYTHON_VERSIONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]

# VS Code target -> (pip platform tags, marker environment). pip expands manylinux/macOS tags to
# the older compatible ones itself.
TARGETS: dict[str, tuple[list[str], dict[str, str]]] = {
    "linux-x64": (["manylinux_2_28_x86_64"], {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"}),
    "linux-arm64": (["manylinux_2_28_aarch64"], {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix"}),
    "alpine-x64": (["musllinux_1_2_x86_64"], {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"}),
    "alpine-arm64": (["musllinux_1_2_aarch64"], {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix"}),
    "darwin-x64": (["macosx_11_0_x86_64"], {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"}),
    "darwin-arm64": (["macosx_11_0_arm64"], {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"}),
    "win32-x64": (["win_amd64"], {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"}),
    "win32-arm64": (["win_arm64"], {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "ARM64", "os_name": "nt"}),
}


def fail(message: str) -> None:
    print(f"bundle_server: {message}", file=sys.stderr)
    sys.exit(2)


def parse_requirements(text: str) -> list[tuple[str, str, str | None, list[str]]]:
    """(name, pinned requirement, marker, hashes) for each entry of a hash-pinned requirements file."""
    entries = []
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = re.findall(r"--hash=(\S+)", line)
        spec = re.sub(r"--hash=\S+", "", line).strip()
        requirement, _, marker = spec.partition(";")
        requirement = requirement.strip()
        name = re.split(r"[=<>!~\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        if not hashes:
            fail(f"{REQUIREMENTS.name}: {requirement} has no --hash (regenerate it with scripts/update-requirements.sh)")
        entries.append((name, requirement, marker.strip() or None, hashes))
    return entries


def project_dependencies() -> dict[str, str]:
    """name -> the version uv.lock pins for each of pyproject.toml's `[project] dependencies` (those are
    ranges; the lock, which requirements.txt is exported from, pins them)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    names = [re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]*", item).group()).lower()
             for item in re.findall(r'"([^"]+)"', block.group(1) if block else "")]
    lock = (REPO / "uv.lock").read_text(encoding="utf-8")
    locked = dict(re.findall(r'^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', lock, re.M))
    return {name: locked.get(name, "(not in uv.lock)") for name in names}


def check_in_sync(entries) -> None:
    pinned = {name: req.split("==", 1)[1].strip() for name, req, _, _ in entries if "==" in req}
    for name, version in project_dependencies().items():
        if pinned.get(name) != version:
            fail(
                f"{REQUIREMENTS.name} pins {name}=={pinned.get(name)} but pyproject.toml wants {version}: "
                "run client/scripts/update-requirements.sh"
            )


def marker_env(target_env: dict[str, str], python_version: str) -> dict[str, str]:
    return {
        **target_env,
        "python_version": python_version,
        "python_full_version": python_version + ".0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


def pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env={**os.environ, "PIP_REQUIRE_VIRTUALENV": "0"})


def pip_or_fail(explanation: str, *args: str) -> None:
    try:
        pip(*args)
    except subprocess.CalledProcessError:
        fail(explanation)


def merge(src: Path, dest: Path) -> None:
    """Copy files from src into dest, keeping files dest already has (same wheels, same content)."""
    for path in src.rglob("*"):
        if path.is_dir():
            continue
        target = dest / path.relative_to(src)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="linux-x64", choices=sorted(TARGETS))
    ap.add_argument("--python-versions", default=",".join(PYTHON_VERSIONS))
    ap.add_argument("--out", type=Path, default=OUT)
    opts = ap.parse_args()

    platforms, target_env = TARGETS[opts.target]
    versions = [v.strip() for v in opts.python_versions.split(",") if v.strip()]
    entries = parse_requirements(REQUIREMENTS.read_text(encoding="utf-8"))
    check_in_sync(entries)

    out: Path = opts.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="cachemount-bundle-") as tmp:
        scratch = Path(tmp)
        for version in versions:
            env = marker_env(target_env, version)
            chosen = [e for e in entries if e[2] is None or Marker(e[2]).evaluate(env)]
            req = scratch / f"requirements-{version}.txt"
            req.write_text("".join(f"{r} " + " ".join(f"--hash={h}" for h in hashes) + "\n" for _, r, _, hashes in chosen))
            nodot = version.replace(".", "")
            dest = scratch / f"cp{nodot}"
            plat_args = [a for p in platforms for a in ("--platform", p)]
            pip_or_fail(
                f"no wheels for {opts.target} / Python {version} (see the pip output above; "
                "leave that version out with --python-versions, or ship this target without a bundled server)",
                "install", "--target", str(dest), "--no-deps", "--no-compile", "--root-user-action=ignore", "--require-hashes", "--only-binary=:all:",
                "--implementation", "cp", "--python-version", version,
                "--abi", f"cp{nodot}", "--abi", "abi3", "--abi", "none", *plat_args,
                "-r", str(req),
            )
            merge(dest, out)
        # the cachemount package itself, from this repository (pure Python)
        self_dest = scratch / "self"
        pip("install", "--target", str(self_dest), "--no-deps", "--no-compile", "--root-user-action=ignore", str(REPO))
        merge(self_dest, out)

    # console-script launchers point at the build machine's Python: useless inside the extension
    shutil.rmtree(out / "bin", ignore_errors=True)
    for cache in list(out.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    if not (out / "cachemount" / "__init__.py").exists():
        fail("the cachemount package did not end up in the bundle")
    info = {
        "target": opts.target,
        "python_versions": versions,
        "packages": sorted(p.name for p in out.glob("*.dist-info")),
    }
    (out / "BUNDLE.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"bundled server for {opts.target} (Python {', '.join(versions)}) in {out}")


if __name__ == "__main__":
    main()
