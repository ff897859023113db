"""`mkdocs serve` as an author uses it, on a copy of the project.

One server, four edits in turn, each answered by exactly one rebuild:
- prose: the page shows the new word; no figure is re-rendered, no cell re-run, no formula
  re-typeset;
- a formula: it alone is typeset, and the cache entry of the formula it replaced is deleted;
- the project's Python (`textbook/chapter/reading_time.py`): the rebuild runs the edited code;
- an edit that does not compile: the rebuild fails naming the file and line, the server keeps
  running, and the fix rebuilds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.project import build_env, copy_project, prose_edit
from tests.conftest import ROOT, free_port

CHAPTER = "docs/01-computer-vision.md"
READING = "textbook/chapter/reading_time.py"
WARM_CACHES = ("figures", "katex", "cells", "mkdocs-jupyter", "templates", "facts.json")
# Not "Documentation built in ... seconds": MkDocs drops a log message it has printed before,
# so a rebuild that takes as long as an earlier one prints no such line.
BUILT = re.compile(r"Reloading browsers|error happened during the rebuild")
SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:\d+/\S*)")
MINUTES = re.compile(r'data-minutes="(\d+)"')


class ServeLog:
    """The server's output, line by line, read on a thread."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._process = process
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self._process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=30)
        self._reader.join(timeout=30)  # it has read to the end of the output
        self._process.stdout.close()

    def running(self) -> bool:
        return self._process.poll() is None

    def since(self, start: int) -> list[str]:
        with self._lock:
            return self.lines[start:]

    def wait_for(self, pattern: re.Pattern, start: int, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.since(start):
                match = pattern.search(line)
                if match:
                    return match
            if self._process.poll() is not None:
                break
            time.sleep(0.1)
        text = "\n".join(self.since(0))
        pytest.fail(f"no {pattern.pattern!r} from mkdocs serve; it printed:\n{text}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("serve") / "project")
    for name in WARM_CACHES:  # copies: the real caches are never touched
        source = ROOT / ".cache" / name
        if source.is_dir():
            shutil.copytree(source, project / ".cache" / name)
        elif source.is_file():
            shutil.copy2(source, project / ".cache" / name)
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{free_port()}"],
        cwd=project,
        env=build_env(project),  # the copy's own modules first on the path
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = ServeLog(process)
    try:
        base = log.wait_for(SERVING, 0, timeout=600).group(1)
        yield project, base, log
    finally:
        log.stop()


def page(base: str) -> str:
    with urllib.request.urlopen(base + "01-computer-vision/", timeout=30) as response:
        return response.read().decode("utf-8")


def edit_and_rebuild(log: ServeLog, path: Path, text: str) -> list[str]:
    """Write `text` to `path`; returns the log of the one rebuild that follows."""
    start = len(log.since(0))
    path.write_text(text, encoding="utf-8")
    log.wait_for(BUILT, start, timeout=60)
    time.sleep(3)  # long enough for a second rebuild to start, were one coming
    lines = log.since(start)
    builds = [line for line in lines if "Building documentation" in line]
    assert len(builds) == 1, "\n".join(lines)
    return lines


def test_edits_under_serve(server):
    project, base, log = server
    chapter = project / CHAPTER
    original = chapter.read_text(encoding="utf-8")
    assert "servededit" not in page(base)

    # Prose: the new word shows; nothing expensive runs again.
    edited, word = prose_edit(original, replacement="servededit")
    lines = "\n".join(edit_and_rebuild(log, chapter, edited))
    assert "servededit" in page(base), word
    assert re.search(r"figures: \w+ cached", lines) and " rendered in " not in lines, lines
    assert re.search(r"cells: \d+ cells: 0 executed", lines), lines
    assert re.search(r"math: \d+ formulas, 0 rendered", lines), lines

    # A formula: only it is typeset, and the cache entry of the old one goes.
    formula = edited.replace(r"\(\phi(I)\)", r"\(\phi(\mathbf{I})\)")
    assert formula != edited
    lines = "\n".join(edit_and_rebuild(log, chapter, formula))
    assert re.search(r"math: \d+ formulas, 1 rendered", lines), lines
    assert "math: removed 1 cached formulas no page uses any more" in lines, lines

    # The project's Python: the rebuild runs the edited module.
    reading = project / READING
    code = reading.read_text(encoding="utf-8")
    minutes = int(MINUTES.search(page(base)).group(1))
    slower = code.replace("WORDS_PER_MINUTE = 238", "WORDS_PER_MINUTE = 23")
    assert slower != code
    lines = "\n".join(edit_and_rebuild(log, reading, slower))
    assert "live: reloaded textbook.chapter.reading_time" in lines, lines
    assert int(MINUTES.search(page(base)).group(1)) > 5 * minutes

    # A broken edit: one clear error with file and line; the server waits for the fix (it holds
    # page requests until a build succeeds).
    broken = slower.replace("WORDS_PER_MINUTE = 23", "WORDS_PER_MINUTE = (")
    line = broken.split("\n").index("WORDS_PER_MINUTE = (") + 1
    lines = "\n".join(edit_and_rebuild(log, reading, broken))
    assert f"{READING}:{line}: SyntaxError: '(' was never closed" in lines, lines
    assert log.running()

    # The fix rebuilds with the fixed code.
    lines = "\n".join(edit_and_rebuild(log, reading, code))
    assert "Reloading browsers" in lines, lines
    assert int(MINUTES.search(page(base)).group(1)) == minutes
