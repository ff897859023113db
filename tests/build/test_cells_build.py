"""The cells hook in a real `mkdocs build` of a small fixture site (tests/fixtures/cells_site)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import run_mkdocs_build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "cells_site"
CELL_IDS = ["cell-pixel-distance", "cell-patchify", "cell-zero-shot"]
SOURCES = {
    "cell-pixel-distance": "cells/pixel_distance.py",
    "cell-patchify": "cells/patchify.py",
    "cell-zero-shot": "cells/zero_shot.py",
}
WIDGET_RE = re.compile(
    r'<div class="tb-cell" id="(?P<id>[^"]+)" data-source="(?P<source>[^"]+)".*?'
    r'<code class="language-python">(?P<code>.*?)</code>.*?<samp>(?P<out>.*?)</samp>',
    re.S,
)


def make_site(dest: Path, site_url: str = "http://127.0.0.1:8000/") -> Path:
    shutil.copytree(FIXTURE, dest)
    config = dest / "mkdocs.yml"
    text = config.read_text().replace("@HOOKS@", str(ROOT / "hooks"))
    config.write_text(text.replace("@SITE_URL@", site_url))
    return dest


def build(root: Path):
    return run_mkdocs_build(root / "mkdocs.yml", root / "site", cwd=root)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def cpython_output(path: Path) -> str:
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, check=True, cwd=path.parent
    ).stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("cells") / "site-src")
    result = build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    (root / "build.log").write_text(result.stderr)
    return root


@pytest.fixture(scope="module")
def page(site) -> str:
    return (site / "site" / "index.html").read_text(encoding="utf-8")


def widgets(page: str) -> dict[str, dict[str, str]]:
    return {m["id"]: m.groupdict() for m in WIDGET_RE.finditer(page)}


def test_every_placeholder_became_a_widget(page):
    assert list(widgets(page)) == CELL_IDS
    assert re.search(r'<div class="tb-cell"[^>]*></div>', page) is None  # no placeholder left
    for cell_id, source in SOURCES.items():
        assert f'id="{cell_id}" data-source="{source}"' in page
    assert 'data-title="Patchify &amp; flatten"' in page  # escaping survives the round trip


def test_code_is_the_cell_file_highlighted_for_readers_without_js(site, page):
    for cell_id, found in widgets(page).items():
        assert text_of(found["code"]) == (site / SOURCES[cell_id]).read_text(encoding="utf-8")
        assert '<span class="kn">import</span>' in found["code"]  # Pygments tokens, Material CSS


def test_build_time_output_equals_cpython(site, page):
    for cell_id, found in widgets(page).items():
        assert text_of(found["out"]) == cpython_output(site / SOURCES[cell_id]), cell_id


def test_assets_are_in_the_site_and_linked_from_the_page(site, page):
    out = site / "site" / "assets"
    assert sorted(p.name for p in (out / "cells").iterdir()) == [
        "cells.css",
        "cells.js",
        "worker.js",
    ]
    assert sorted(p.name for p in (out / "pyodide").iterdir()) == [
        "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "numpy-pyc.zip",
        "pyodide-lock.json", "pyodide-snapshot.bin.gz", "pyodide.asm.js", "pyodide.asm.wasm",
        "pyodide.js", "python_stdlib.zip",
    ]  # fmt: skip
    # The loader, not the bundle, is in the page; the feature table names the bundle.
    assert '<script src="assets/js/textbook.js"></script>' in page
    assert 'data-name="cells" data-src="assets/cells/cells.js"' in page
    assert 'data-type="module" data-near></template><script src="assets/js/textbook.js">' in page
    assert '<script src="assets/cells/cells.js"' not in page
    assert '<link rel="stylesheet" href="assets/cells/cells.css">' in page
    content = page[page.index('<article class="md-content__inner') : page.index("</article>")]
    assert "<script" not in content  # no inline scripts from the cells


def test_notebook_is_generated_from_the_cells(site, page):
    nb_path = site / "site" / "notebooks" / "index.ipynb"
    nb = nbformat.reads(nb_path.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.id for c in code] == CELL_IDS
    found = widgets(page)
    for cell in code:
        source = (site / SOURCES[cell.id]).read_text(encoding="utf-8")
        assert cell.source == source.rstrip("\n")
        assert "".join(o.text for o in cell.outputs) == text_of(found[cell.id]["out"])
    # the rendered notebook page, its download link, and the links from the cells page
    nb_page = (site / "site" / "notebooks" / "index.html").read_text(encoding="utf-8")
    assert '<a href="index.ipynb" download>Download this notebook (.ipynb)</a>' in nb_page
    assert "same square, brighter light : 2.400" in nb_page
    assert (
        "<script" not in nb_page[nb_page.index("md-content__inner") : nb_page.index("</article>")]
    )
    assert "cdnjs" not in nb_page
    assert page.count('<a class="tb-cell__link" href="notebooks/">Notebook</a>') == 3
    assert page.count('href="notebooks/index.ipynb" download>Download .ipynb</a>') == 3


def test_second_build_uses_the_cache(site):
    first = (site / "build.log").read_text()
    assert "cells: 3 cells: 3 executed" in first
    again = build(site)
    assert again.returncode == 0, again.stderr
    assert "cells: 3 cells: 0 executed (0.00 s)" in again.stderr


def test_builds_are_deterministic(site, tmp_path):
    other = make_site(tmp_path / "again")
    result = build(other)  # fresh cache: every cell runs again
    assert result.returncode == 0, result.stderr
    names = ["index.html", "notebooks/index.ipynb", "notebooks/index.html"]
    names += [f"assets/cells/{name}" for name in ("cells.js", "worker.js", "cells.css")]
    for rel in names:
        a = (site / "site" / rel).read_bytes()
        b = (other / "site" / rel).read_bytes()
        assert a == b, rel


def test_failing_cell_fails_the_build_naming_page_cell_and_traceback(tmp_path):
    root = make_site(tmp_path / "broken")
    (root / "cells" / "patchify.py").write_text(
        "import numpy as np\n\nP = 3\nassert 8 % P == 0, 'patch size must tile the image'\n"
    )
    result = build(root)
    assert result.returncode != 0
    assert (
        "ERROR   -  cells: docs/index.md:13: cell 'cell-patchify' (cells/patchify.py): "
        "cells/patchify.py:4: the cell raised AssertionError at build time; fix the cell "
        "(the page shows its build-time output, so it must run cleanly)\n"
        "Traceback (most recent call last):\n"
    ) in result.stderr
    assert '  File "cells/patchify.py", line 4, in <module>' in result.stderr
    assert "AssertionError: patch size must tile the image" in result.stderr
    assert not (root / "site" / "index.html").exists()


def test_missing_cell_source_names_the_page_line(tmp_path):
    root = make_site(tmp_path / "missing")
    (root / "cells" / "zero_shot.py").unlink()
    result = build(root)
    assert result.returncode != 0
    assert (
        "ERROR   -  cells: docs/index.md:15: cell 'cell-zero-shot' (cells/zero_shot.py): "
        "cell source cells/zero_shot.py not found"
    ) in result.stderr
    assert "create it or fix `source:`" in result.stderr


def test_notebooks_stay_out_of_the_nav_and_docs_untouched(site):
    assert not (site / "docs" / "notebooks").exists()
    assert sorted(p.name for p in (site / "docs").iterdir()) == ["index.md", "other.md"]
    index = (site / "site" / "index.html").read_text(encoding="utf-8")
    nav = index[index.index('<nav class="md-nav md-nav--primary"') :]
    assert "notebooks/" not in nav.split("</nav>")[0]


def test_sitemap_and_notebook_json_have_no_volatile_fields(site):
    data = json.loads((site / "site" / "notebooks" / "index.ipynb").read_text())
    assert set(data["metadata"]) == {"kernelspec", "language_info"}
    assert all(not c["metadata"] for c in data["cells"])
