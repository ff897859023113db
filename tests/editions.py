"""Two published editions of a copy of the project, made once per test run with real git and
mike (`python -m textbook.site.publish`, what `make edition` runs), for tests/build/test_editions.py
and tests/browser/test_editions.py.

Edition 1.0 is the project as it is. Edition 2.0 changes the formula of EQ MM1.2 and renames
EQ MM1.3's anchor (eq-mm1-3 -> eq-mm1-iou, with the alias in anchors/aliases.yml), as an
editor would. The published branch is unpacked under `served/multimodal/`, to be served under
that sub-path like a GitHub project site.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT, free_port

SUB_PATH = "multimodal/"
CHAPTER = "01-computer-vision/"
OLD_FORMULA = r"N = \frac{H}{P}\cdot\frac{W}{P}, \qquad"
NEW_FORMULA = r"N = \frac{H\,W}{P^{2}}, \qquad"
REMOVED, RENAMED = "eq-mm1-3", "eq-mm1-iou"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Editor",
    "GIT_AUTHOR_EMAIL": "editor@127.0.0.1",
    "GIT_COMMITTER_NAME": "Editor",
    "GIT_COMMITTER_EMAIL": "editor@127.0.0.1",
    # Citations carry the date of the last commit: a fixed one, as in a real history.
    "GIT_AUTHOR_DATE": "2026-01-01T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T12:00:00+00:00",
    "SOURCE_DATE_EPOCH": "1767225600",
    "PYTHONHASHSEED": "0",
}


@dataclass(frozen=True)
class Editions:
    project: Path  # the git checkout the editions were published from
    served: Path  # the published branch, unpacked; serve it and open /multimodal/
    outputs: dict[str, str]  # what each `publish` printed
    port: int  # instant navigation needs site_url's origin: serve on this port

    @property
    def site_url(self) -> str:
        return site_url_of(self.port)

    def edition(self, name: str) -> Path:
        return self.served / SUB_PATH.strip("/") / name


def site_url_of(port: int) -> str:
    return f"http://127.0.0.1:{port}/{SUB_PATH}"


def git(project: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True,
        env={**os.environ, **GIT_ENV},
    )  # fmt: skip
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def publish(project: Path, number: str, site_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "textbook.site.publish", number],
        cwd=project, capture_output=True, text=True, timeout=900,
        env={**os.environ, **GIT_ENV, "SITE_URL": site_url},
    )  # fmt: skip


def edit_for_edition_2(project: Path) -> None:
    chapter = project / "docs" / "01-computer-vision.md"
    text = chapter.read_text(encoding="utf-8")
    assert text.count(OLD_FORMULA) == 1 and text.count(f"id: {REMOVED}\n") == 1
    text = text.replace(OLD_FORMULA, NEW_FORMULA).replace(f"id: {REMOVED}\n", f"id: {RENAMED}\n")
    chapter.write_text(text.replace(f"(#{REMOVED})", f"(#{RENAMED})"), encoding="utf-8")
    aliases = project / "anchors" / "aliases.yml"
    aliases.write_text(aliases.read_text() + f"{REMOVED}: {RENAMED}\n", encoding="utf-8")


def make_editions(base: Path) -> Editions:
    from tests.build.test_bad_input import copy_project

    project = copy_project(base / "project")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "The book as it is")
    outputs = {}
    port = free_port()
    first = publish(project, "1.0", site_url_of(port))
    assert first.returncode == 0, first.stdout + first.stderr
    outputs["1.0"] = first.stdout
    edit_for_edition_2(project)
    git(project, "commit", "-q", "-am", "EQ MM1.2 rewritten; EQ MM1.3 renamed")
    second = publish(project, "2.0", site_url_of(port))
    assert second.returncode == 0, second.stdout + second.stderr
    outputs["2.0"] = second.stdout
    served = base / "served" / SUB_PATH.strip("/")
    served.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "gh-pages"], cwd=project, capture_output=True)
    assert archive.returncode == 0, archive.stderr
    subprocess.run(["tar", "-x", "-C", str(served)], input=archive.stdout, check=True)
    return Editions(project, base / "served", outputs, port)


def shared_editions() -> Editions:
    """The editions of this test run, made by whichever test process needs them first."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"solo-{os.getpid()}")
    base = ROOT / ".cache" / "test-editions"
    base.mkdir(parents=True, exist_ok=True)
    marker = base / "made-for"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        work = base / "work"
        if not (marker.exists() and marker.read_text() == run_id and work.is_dir()):
            subprocess.run(["rm", "-rf", str(work)], check=True)
            work.mkdir()
            made = make_editions(work)
            (work / "outputs").write_text("\n".join(f"{k}\t{v.strip()}" for k, v in
                                                    made.outputs.items()))  # fmt: skip
            (work / "port").write_text(str(made.port))
            marker.write_text(run_id)
        outputs = dict(line.split("\t", 1) for line in (work / "outputs").read_text().splitlines())
        port = int((work / "port").read_text())
        return Editions(work / "project", work / "served", outputs, port)
