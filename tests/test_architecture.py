"""The package layout is the architecture. Data flows text -> document -> shell -> semantics -> rules
-> findings -> fixing -> faces (cli, lsp) over the pure editor features. Imports go downward only:

- `fixing/` is the toolkit a rule builds its Fix with (edits, the cache-mount planner, the COPY
  reorder), as ruff's rules call its fix helpers; it sits below `rules/`. Fix-all (`fixing.apply`)
  gets the linter as an argument, so fixing never imports a rule.
- `lint` runs the rules; `editor/` (hover, completion, incremental) uses lint; the faces use both.
- `__main__` (the entry point) is the one module that joins the two faces.

This test reads every module's imports (top-level and inside functions) and keeps it so: no cycles,
no import from a higher layer, no rule importing another rule, no face importing another face,
pygls/lsprotocol only in lsp/."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "cachemount"

# Lowest first. A module may import its own layer's modules (except where said) and lower layers.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cachemount", "cachemount.limits", "cachemount.findings", "cachemount.textio", "cachemount.records"),
    ("cachemount.knowledge", "cachemount.document", "cachemount.settings", "cachemount.build_context"),
    ("cachemount.shell", "cachemount.suppressions"),
    ("cachemount.semantics",),
    ("cachemount.fixing",),
    ("cachemount.rules",),
    ("cachemount.lint",),
    ("cachemount.editor",),
    ("cachemount.cli", "cachemount.lsp"),
    ("cachemount.__main__",),
)
FACES = ("cachemount.cli", "cachemount.lsp")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(path: Path) -> set[str]:
    """Absolute names of every cachemount module (or package) this file imports."""
    name = _module_name(path)
    base = name.split(".") if _is_package(path) else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base[: len(base) - (node.level - 1)]
                target = ".".join(parent + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            for alias in node.names:   # `from . import x` may import a module x
                out.add(f"{target}.{alias.name}")
    return out


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _known(name: str) -> str | None:
    """The module or package `name` refers to, if it is ours."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _layer(module: str) -> int:
    best, index = -1, -1
    for i, group in enumerate(LAYERS):
        for prefix in group:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), i
    if index < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return index


GRAPH = {m: {k for k in (_known(i) for i in _imports(p) if i.startswith("cachemount")) if k and k != m}
         for m, p in MODULES.items()}


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_downward(module):
    mine = _layer(module)
    upward = sorted(i for i in GRAPH[module] if _layer(i) > mine and i != "cachemount")
    assert not upward, f"{module} (layer {mine}) imports higher layers: {upward}"


def test_no_rule_imports_another_rule():
    shared = {"cachemount.rules", "cachemount.rules.base"}
    for module, deps in GRAPH.items():
        if module.startswith("cachemount.rules.") and module not in shared:
            others = sorted(d for d in deps if d.startswith("cachemount.rules.") and d not in shared)
            assert not others, f"{module} imports other rules: {others}"


def test_no_face_imports_another_face():
    for module, deps in GRAPH.items():
        mine = next((f for f in FACES if module == f or module.startswith(f + ".")), None)
        if mine:
            others = sorted(d for d in deps for f in FACES if f != mine and (d == f or d.startswith(f + ".")))
            assert not others, f"{module} imports another face: {others}"


def test_no_cycles():
    seen: dict[str, int] = {}   # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for dep in sorted(GRAPH.get(node, ())):
            if dep in MODULES and _is_package(MODULES[dep]) and node.startswith(dep + "."):
                continue   # a module importing its own package's __init__ (re-exports) is no cycle
            if seen.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in seen:
                visit(dep)
        stack.pop()
        seen[node] = 2

    for module in sorted(MODULES):
        if module not in seen:
            visit(module)


def test_lsp_libraries_only_in_lsp():
    for module, path in MODULES.items():
        if module.startswith("cachemount.lsp"):
            continue
        external = {i.split(".")[0] for i in _imports(path)}
        assert not external & {"pygls", "lsprotocol"}, module
