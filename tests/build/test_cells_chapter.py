"""The real chapter's runnable cells (cells/*.py) in the built site."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
CELLS = {
    "cell-pixel-distance": "cells/pixel_distance.py",
    "cell-patchify": "cells/patchify.py",
    "cell-zero-shot": "cells/zero_shot.py",
}
NOTEBOOK = Path("notebooks") / "01-computer-vision"
WIDGET_RE = re.compile(
    r'<div class="tb-cell" id="(?P<id>[^"]+)" data-source="(?P<source>[^"]+)".*?'
    r'<code class="language-python">(?P<code>.*?)</code>.*?<samp>(?P<out>.*?)</samp>',
    re.S,
)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def cpython(source: str) -> str:
    cmd = [sys.executable, str(ROOT / source)]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout


def test_chapter_cells_show_their_files_and_cpython_output(chapter_html):
    found = {m["id"]: m for m in WIDGET_RE.finditer(chapter_html)}
    assert list(found) == list(CELLS)
    for cell_id, source in CELLS.items():
        assert found[cell_id]["source"] == source
        assert text_of(found[cell_id]["code"]) == (ROOT / source).read_text(encoding="utf-8")
        assert text_of(found[cell_id]["out"]) == cpython(source), cell_id


def test_chapter_notebook_matches_the_cells(built_site, chapter_html):
    nb_file = built_site / NOTEBOOK / "01-computer-vision.ipynb"
    nb = nbformat.reads(nb_file.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.id for c in code] == list(CELLS)
    found = {m["id"]: m for m in WIDGET_RE.finditer(chapter_html)}
    for cell in code:
        assert cell.source == (ROOT / CELLS[cell.id]).read_text(encoding="utf-8").rstrip("\n")
        assert "".join(o.text for o in cell.outputs) == text_of(found[cell.id]["out"])
    assert (built_site / NOTEBOOK / "index.html").is_file()
    link = '<a class="tb-cell__link" href="../notebooks/01-computer-vision/">Notebook</a>'
    assert chapter_html.count(link) == len(CELLS)
    assert not (ROOT / "docs" / "notebooks").exists()  # generated, never written into docs/
