"""Picking up edits to the project's Python between `mkdocs serve` rebuilds.

`mkdocs serve` imports each hook once and keeps it, and every module it imported, for all the
rebuilds that follow. So that an author's edit to `textbook/` or `figures_src/` shows on the next
rebuild, `ProjectModules.reload_changed()` reloads the modules whose source changed since they
were loaded, then every project module that imports one of them (a `from x import f` binding
only sees the new `f` when its module runs again), dependencies before the modules that use them.
Modules nothing changed for are left alone, and no bytecode is written: a new `__pycache__`
file under a watched folder would start another rebuild.

Hooks are never reloaded, so they refer to project names through their module
(`errors.SourceError`, not `from textbook.core.errors import SourceError`).
"""

from __future__ import annotations

import ast
import importlib
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

PACKAGES = ("textbook", "figures_src")


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def imported_names(
    source: str, module: str, is_package: bool, filename: str = "<source>"
) -> set[str]:
    """Every dotted name the source imports, relative imports resolved against `module`.

    `from a import b` yields both `a` and `a.b` (b may be a submodule)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def reload_order(changed: set[str], imports: dict[str, set[str]]) -> list[str]:
    """The changed modules and all their importers, each after the modules it imports.

    `imports` maps each module to the modules it imports (within the project). An import
    cycle is broken at the alphabetically first module of the cycle."""
    importers: dict[str, set[str]] = {name: set() for name in imports}
    for name, used in imports.items():
        for dependency in used:
            importers.setdefault(dependency, set()).add(name)
    affected: set[str] = set()
    stack = sorted(changed)
    while stack:
        name = stack.pop()
        if name not in affected:
            affected.add(name)
            stack.extend(sorted(importers.get(name, ())))
    order: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(name: str) -> None:
        if name in placed or name in visiting:
            return
        visiting.add(name)
        for dependency in sorted(imports.get(name, ())):
            if dependency in affected:
                place(dependency)
        visiting.discard(name)
        placed.add(name)
        order.append(name)

    for name in sorted(affected):
        place(name)
    return order


@dataclass
class ProjectModules:
    """The loaded modules of the project's packages, and the state of their sources."""

    packages: tuple[str, ...] = PACKAGES
    seen: dict[str, tuple[int, int] | None] = field(default_factory=dict)

    def loaded(self) -> dict[str, ModuleType]:
        return {
            name: module
            for name, module in list(sys.modules.items())
            if name.split(".")[0] in self.packages and getattr(module, "__file__", None)
        }

    def note_new(self) -> None:
        """Remember the sources of modules imported since the last call, as they are now (call
        soon after they were imported: at start-up and after each build)."""
        for name, module in self.loaded().items():
            if name not in self.seen:
                self.seen[name] = _fingerprint(Path(module.__file__))

    def reload_changed(self) -> list[str]:
        """Reload what changed and what imports it; returns the names reloaded, in order."""
        modules = self.loaded()
        changed = set()
        for name, module in modules.items():
            if name in self.seen and self.seen[name] != _fingerprint(Path(module.__file__)):
                changed.add(name)
        if not changed:
            return []
        imports = {
            name: imported_names(
                Path(module.__file__).read_text(encoding="utf-8"),
                name,
                is_package=hasattr(module, "__path__"),
                filename=module.__file__,
            )
            & modules.keys()
            for name, module in modules.items()
        }
        order = reload_order(changed, imports)
        sources = {name: _fingerprint(Path(modules[name].__file__)) for name in order}
        writes = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        try:
            for name in order:
                importlib.reload(sys.modules[name])
        finally:
            sys.dont_write_bytecode = writes
        # Only now: if any of them failed (the edited module, or one that uses what the edit
        # removed), all stay changed and the next rebuild reloads them again, not half of them.
        self.seen.update(sources)
        return order


def failure_message(error: BaseException, root: Path) -> str:
    """`path:line: Error: message` for an edit that failed to reload, path relative to `root`."""
    if isinstance(error, SyntaxError):
        path, line, message = error.filename, error.lineno, error.msg
    else:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        path, line, message = frame.filename, frame.lineno, str(error)
    if path and Path(path).is_relative_to(root):
        path = Path(path).relative_to(root).as_posix()
    return f"{path}:{line}: {type(error).__name__}: {message}"
