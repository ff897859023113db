"""textbook.site.live: under `mkdocs serve`, edited project modules and their importers reload."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
import uuid

import pytest

from textbook.site.live import ProjectModules, failure_message, imported_names, reload_order


def test_imported_names_resolve_relative_and_function_level_imports():
    source = textwrap.dedent(
        """
        import textbook.ids
        from textbook import cite, quiz
        from . import errors
        from .facts import substitute
        def later():
            from figures_src.kernels import iou
        """
    )
    names = imported_names(source, "textbook.xref", is_package=False)
    assert {"textbook.ids", "textbook.cite", "textbook.quiz", "textbook.errors"} <= names
    assert {"textbook.facts", "figures_src.kernels.iou"} <= names
    # In a package's __init__, `from . import x` is relative to the package itself.
    assert "pkg.sub.x" in imported_names("from . import x", "pkg.sub", is_package=True)
    assert "pkg.x" in imported_names("from . import x", "pkg.sub", is_package=False)


def test_reload_order_puts_dependencies_first_and_leaves_the_rest_alone():
    imports = {
        "p.errors": set(),
        "p.ids": {"p.errors"},
        "p.chapter": {"p.ids", "p.errors"},
        "p.cells": set(),
        "p.view": {"p.chapter"},
    }
    assert reload_order({"p.ids"}, imports) == ["p.ids", "p.chapter", "p.view"]
    order = reload_order({"p.errors"}, imports)
    assert order.index("p.errors") < order.index("p.ids") < order.index("p.chapter")
    assert order.index("p.chapter") < order.index("p.view") and "p.cells" not in order
    assert reload_order(set(), imports) == []
    # A cycle still gives each module once.
    assert sorted(reload_order({"a"}, {"a": {"b"}, "b": {"a"}})) == ["a", "b"]


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throwaway package: base (a value), user (from base import value), other."""
    name = f"livepkg_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "base.py").write_text("VALUE = 1\n")
    (root / "user.py").write_text(
        f"from {name}.base import VALUE\n\ndef value():\n    return VALUE\n"
    )
    (root / "other.py").write_text("LOADS = [1]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # only for the imports below
    modules = {
        part: __import__(f"{name}.{part}", fromlist=["_"]) for part in ("base", "user", "other")
    }
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    yield name, root, modules
    for key in [key for key in sys.modules if key.split(".")[0] == name]:
        del sys.modules[key]


def edit(path, text):
    """Write and move the mtime on, so the change shows even within one clock tick."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def fails_on_every_rebuild(project, error) -> None:
    for _ in range(2):  # still broken: the next rebuild says so again
        with pytest.raises(error):
            project.reload_changed()


def test_an_edit_reloads_the_module_and_its_importers_only(package):
    name, root, modules = package
    project = ProjectModules(packages=(name,))
    project.note_new()
    assert project.reload_changed() == []  # nothing changed: nothing reloaded
    modules["other"].LOADS.append(2)  # module state a reload would reset

    edit(root / "base.py", "VALUE = 2\n")
    assert project.reload_changed() == [f"{name}.base", f"{name}.user"]
    assert modules["user"].value() == 2  # the `from base import VALUE` binding is new
    assert modules["other"].LOADS == [1, 2]  # untouched
    assert not (root / "__pycache__").exists()  # a bytecode write would trigger another rebuild
    assert project.reload_changed() == []


def test_an_edit_that_does_not_import_is_retried_until_fixed(package):
    name, root, modules = package
    project = ProjectModules(packages=(name,))
    project.note_new()
    edit(root / "base.py", "VALUE = (\n")
    fails_on_every_rebuild(project, SyntaxError)
    edit(root / "base.py", "VALUE = 3\n")
    assert project.reload_changed() == [f"{name}.base", f"{name}.user"]
    assert modules["user"].value() == 3


def test_an_edit_that_breaks_an_unchanged_importer_is_retried_whole(package):
    name, root, modules = package
    project = ProjectModules(packages=(name,))
    project.note_new()
    # user runs base's check() when it loads; both are reloaded once and settle.
    edit(root / "base.py", "VALUE = 1\n\n\ndef check():\n    pass\n")
    edit(
        root / "user.py",
        (root / "user.py").read_text() + f"\nimport {name}.base\n\n{name}.base.check()\n",
    )
    assert project.reload_changed() == [f"{name}.base", f"{name}.user"]
    # Only base is edited: it reloads fine, and then user, untouched, fails to load.
    edit(root / "base.py", "VALUE = 1\n\n\ndef check():\n    raise RuntimeError('no')\n")
    fails_on_every_rebuild(project, RuntimeError)  # not "nothing changed": user is stale
    edit(root / "base.py", "VALUE = 5\n\n\ndef check():\n    pass\n")
    assert project.reload_changed() == [f"{name}.base", f"{name}.user"]
    assert modules["user"].value() == 5


def test_modules_imported_later_are_watched_from_then_on(package):
    name, root, _ = package
    project = ProjectModules(packages=(name,))
    project.note_new()
    (root / "late.py").write_text("X = 1\n")
    late = importlib.import_module(f"{name}.late")
    project.note_new()  # after the build that imported it
    edit(root / "late.py", "X = 5\n")
    assert project.reload_changed() == [f"{name}.late"]
    assert late.X == 5


def test_a_failed_reload_is_reported_with_the_file_and_line(package):
    name, root, _ = package
    project = ProjectModules(packages=(name,))
    project.note_new()
    edit(root / "base.py", "VALUE = 1\nVALUE = (\n")
    with pytest.raises(SyntaxError) as caught:
        project.reload_changed()
    assert failure_message(caught.value, root.parent).startswith(
        f"{name}/base.py:2: SyntaxError: '(' was never closed"
    )
    edit(root / "base.py", "VALUE = 1\n\nVALUE = undefined_name\n")
    with pytest.raises(NameError) as caught:
        project.reload_changed()
    assert failure_message(caught.value, root.parent) == (
        f"{name}/base.py:3: NameError: name 'undefined_name' is not defined"
    )
