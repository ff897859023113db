"""textbook.cells.deferred and the notebook plugin: heavy modules are imported on first use only."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from textbook.cells import deferred

PROBE = """
import sys
import textbook.cells.notebook_plugin as plugin
loaded = sorted(m for m in ("nbconvert", "jupytext.formats", "tornado") if m in sys.modules)
print("after plugin import:", loaded)
from mkdocs_jupyter import convert
print("convert loaded:", plugin.deferred.is_loaded(convert))
convert.nb2html  # first use
print("after first use:", "nbconvert" in sys.modules, plugin.deferred.is_loaded(convert))
"""


def test_notebook_plugin_loads_without_nbconvert_and_imports_it_on_first_use():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert "after plugin import: []" in out
    assert "convert loaded: False" in out
    assert "after first use: True True" in out


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package `dpkg` with a module `heavy` that counts its executions in a file."""
    root = tmp_path / "dpkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "heavy.py").write_text(
        textwrap.dedent(f"""
        import pathlib
        counter = pathlib.Path({str(tmp_path / "runs")!r})
        counter.write_text(counter.read_text() + "x" if counter.exists() else "x")
        VALUE = 42
        def double(x):
            return 2 * x
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("dpkg.heavy", "dpkg"):
        sys.modules.pop(name, None)


def test_deferred_module_runs_once_on_first_attribute(package):
    placeholder = deferred.defer("dpkg.heavy")
    import dpkg.heavy
    from dpkg import heavy

    assert heavy is placeholder and dpkg.heavy is placeholder
    assert not (package / "runs").exists() and not deferred.is_loaded(heavy)
    assert heavy.VALUE == 42 and heavy.double(4) == 8
    assert deferred.is_loaded(heavy) and (package / "runs").read_text() == "x"
    assert sys.modules["dpkg.heavy"].VALUE == 42
    heavy.double(1)
    assert (package / "runs").read_text() == "x"  # executed once


def test_defer_of_an_imported_module_returns_it_and_unknown_modules_fail(package):
    import dpkg.heavy

    assert deferred.defer("dpkg.heavy") is dpkg.heavy and deferred.is_loaded(dpkg.heavy)
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        deferred.defer("dpkg.no_such_module")


def test_missing_attribute_of_a_deferred_module_raises_attribute_error(package):
    heavy = deferred.defer("dpkg.heavy")
    with pytest.raises(AttributeError):
        heavy.not_there  # noqa: B018
