"""Shared fixtures: one build of the real site per test run and xdist worker.

Each worker serves its build on its own port, and builds with `site_url` on that origin
(Material's instant navigation only works there). Builds share the figure and math caches,
so a worker's build after the first is warm.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs"]
# Browser tests serve the test build here; instant navigation needs site_url on this origin.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
TEST_PORT = int(os.environ.get("TEXTBOOK_TEST_PORT", "8731")) + int(_WORKER or 0)
TEST_SITE_URL = f"http://127.0.0.1:{TEST_PORT}/"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_mkdocs_build(config: Path, site_dir: Path, cwd: Path | None = None, env=None):
    """Build a site in a fresh process; returns the CompletedProcess."""
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        cwd=cwd or config.parent,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The real site, built once per test run for this worker's port."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"solo-{os.getpid()}")
    base = ROOT / ".cache" / f"test-site-{TEST_PORT}"
    base.mkdir(parents=True, exist_ok=True)
    site = base / "site"
    marker = base / "built-for"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.exists() and marker.read_text() == run_id and site.is_dir()):
            result = run_mkdocs_build(
                ROOT / "mkdocs.yml", site, cwd=ROOT, env={"SITE_URL": TEST_SITE_URL}
            )
            if result.returncode != 0:
                pytest.fail(f"site build failed:\n{result.stdout}\n{result.stderr}")
            (base / "build.log").write_text(result.stdout + result.stderr)
            marker.write_text(run_id)
    return site


@pytest.fixture(scope="session")
def chapter_html(built_site: Path) -> str:
    return (built_site / "01-computer-vision" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def published_editions():
    """Editions 1.0 and 2.0 of a copy of the project, published with git and mike (slow: two
    full builds, made once per test run; see tests/editions.py)."""
    from tests.editions import shared_editions

    return shared_editions()
