"""The shape of the code: content never imports the engine, the engine's packages import each
other without cycles, and no engine module grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ("figures_src", "cells", "docs", "anchors")  # what authors write
MAX_LINES = 400
# Modules over the limit, to be split; none today (each may only shrink until it is split).
TO_SPLIT: dict[str, int] = {}


def python_files(*folders: str) -> list[Path]:
    return sorted(
        p for f in folders for p in (ROOT / f).rglob("*.py") if "__pycache__" not in p.parts
    )


def imported(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = path.relative_to(ROOT).with_suffix("").parts
    package = package[:-1] if package[-1] != "__init__" else package[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def engine_package(name: str) -> str | None:
    """``textbook.math.page`` -> ``math``; a top-level module (``textbook.plugin``) is its own."""
    parts = name.split(".")
    return parts[1] if parts[0] == "textbook" and len(parts) > 1 else None


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in python_files("textbook"):
        relative = path.relative_to(ROOT).with_suffix("").parts
        if len(relative) < 2:
            continue
        own = relative[1]
        targets = {engine_package(n) for n in imported(path)} - {None, own}
        known = {t for t in targets if (ROOT / "textbook" / t).exists()}
        known |= {t for t in targets if (ROOT / "textbook" / f"{t}.py").exists()}
        graph.setdefault(own, set()).update(known)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_engine_packages_import_each_other_without_cycles():
    assert cycles(package_graph()) == []


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_core_imports_no_feature_package():
    assert package_graph().get("core", set()) == set()


@pytest.mark.parametrize("path", python_files(*CONTENT), ids=lambda p: str(p.relative_to(ROOT)))
def test_content_never_imports_the_engine(path):
    engine = sorted(n for n in imported(path) if n == "textbook" or n.startswith("textbook."))
    assert engine == [], f"{path.relative_to(ROOT)} imports the engine: {engine}"


def test_no_engine_module_is_over_the_limit():
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in python_files("textbook")
    }
    over = {p: n for p, n in sizes.items() if n > MAX_LINES and n > TO_SPLIT.get(p, 0)}
    assert over == {}, f"modules over {MAX_LINES} lines: split them"
    assert all(sizes.get(p, 0) > MAX_LINES for p in TO_SPLIT)  # a split module leaves the list
