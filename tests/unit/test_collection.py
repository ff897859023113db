"""The configured test run collects every test file: a directory left out by pytest's defaults
(its `norecursedirs` once skipped all of tests/build) fails here instead of passing unseen."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_every_test_file_is_collected():
    relative = (path.relative_to(ROOT) for path in (ROOT / "tests").rglob("test_*.py"))
    files = {path.as_posix() for path in relative if not any(p.startswith(".") for p in path.parts)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert "tests/build/test_head.py" in files
    assert files - collected == set(), f"never collected: {sorted(files - collected)}"
