"""No import cycles anywhere in suo.

The graph counts every import: top-level ones, imports inside functions and
imports under ``if TYPE_CHECKING:``. ``from pkg import name`` is an edge to
``pkg`` and, when ``pkg.name`` is a module, to ``pkg.name`` as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import suo


def module_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module name -> the modules of the same tree it imports, anywhere in its code."""
    files: dict[str, tuple[Path, bool]] = {}
    for path in root.rglob("*.py"):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_pkg = parts[-1] == "__init__"
        files[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    graph: dict[str, set[str]] = {}
    for name, (path, is_pkg) in files.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in files)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target in files:
                    edges.add(target)
                edges.update(
                    f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in files
                )
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_cycles_of_every_kind(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n")
    (pkg / "c.py").write_text("from . import a\n")
    assert cycles(module_graph(pkg, "pkg")) == [["pkg.a", "pkg.b"]]


def test_no_import_cycle_in_suo() -> None:
    root = Path(suo.__file__).parent
    graph = module_graph(root, "suo")
    assert len(graph) > 80  # the walk found the package
    assert cycles(graph) == [], "import cycles in src/suo"
