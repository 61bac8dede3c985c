"""The package's layers: no module imports one of a higher layer, lazily or for typing alone."""

from __future__ import annotations

import ast
from pathlib import Path

import reconciler

LAYERS = [
    {"cli", "__main__"},
    {"service"},
    {"render", "apply"},
    {"audit"},
    {"scope"},
    {"plan", "emulator"},
    {"manifest"},
    {"settings", "binding"},
    {"state"},
    {"braze"},
    {"kinds", "sendtime", "rrules", "recurrence", "templates"},
    {"timeutil", "canonical", "secrets", "errors", "__init__"},
]
"""Top to bottom; the modules of one line may import each other."""
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The top-level package modules an import statement names (``reconciler.X``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.module and node.level == 0:
        names = [node.module]
        if node.module == "reconciler":  # from reconciler import binding
            names += [f"reconciler.{alias.name}" for alias in node.names]
    else:
        return []
    return [name.split(".")[1] for name in names if name.startswith("reconciler.")]


INDEPENDENT = [("emulator", "plan"), ("plan", "emulator"), ("apply", "render")]
"""Modules of one line that must not import each other all the same: the emulator speaks
Braze's rules (``braze``, ``sendtime``), never the planner's."""


def imports() -> list[tuple[Path, str, int, str]]:
    """Every ``reconciler.X`` import: (module path, its top-level name, line, X)."""
    package = Path(reconciler.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        layer = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found += [(relative, layer, node.lineno, name) for name in imported(node)]
    return found


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for relative, layer, line, name in imports():
        assert layer in RANK, f"{relative}: give it a layer"
        if name in RANK and RANK[name] < RANK[layer]:
            upward.append(f"{relative}:{line} imports reconciler.{name}")
    assert upward == []


def test_siblings_that_must_stay_apart_do() -> None:
    crossing = [
        f"{relative}:{line} imports reconciler.{name}"
        for relative, layer, line, name in imports()
        if (layer, name) in INDEPENDENT
    ]
    assert crossing == []
