"""js/cells/runner.py (what the worker runs inside Pyodide), exercised with CPython."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[2] / "js" / "cells" / "runner.py"


@pytest.fixture
def runner():
    spec = importlib.util.spec_from_file_location("tb_runner_under_test", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(runner, code, name="cell-x"):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        error = runner.run(code, name)
    return out.getvalue(), error


def test_cells_share_one_namespace(runner):
    assert run(runner, "x = 41\ndef f():\n    return x + 1\n") == ("", None)
    assert run(runner, "print(f())", "cell-y") == ("42\n", None)


def test_traceback_starts_at_the_readers_code_and_shows_lines(runner):
    out, error = run(runner, "print('a')\n\ndef g():\n    return 1 / 0\n\ng()\n", "cell-z")
    assert out == "a\n"
    assert error.splitlines() == [
        "Traceback (most recent call last):",
        '  File "cell-z", line 6, in <module>',
        "    g()",
        '  File "cell-z", line 4, in g',
        "    return 1 / 0",
        "           ~~^~~",
        "ZeroDivisionError: division by zero",
    ]


def test_syntax_error_is_short_and_readable(runner):
    _, error = run(runner, "x = (1,\ny = 2\n")
    assert error.startswith('  File "cell-x", line 1\n    x = (1,\n')
    assert error.rstrip().endswith("SyntaxError: '(' was never closed")
    assert "Traceback" not in error


@pytest.mark.parametrize(
    ("code", "last"),
    [
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("import sys\nsys.exit(2)", "SystemExit: 2"),
    ],
)
def test_base_exceptions_are_reported_not_raised(runner, code, last):
    _, error = run(runner, code)
    assert error.rstrip().splitlines()[-1] == last


def test_errors_inside_library_code_keep_the_library_frames(runner):
    _, error = run(runner, "import json\njson.loads('{')\n")
    lines = error.splitlines()
    assert lines[1] == '  File "cell-x", line 2, in <module>'
    assert any("json" in line and "decoder.py" in line for line in lines)
    assert lines[-1].startswith("json.decoder.JSONDecodeError")
