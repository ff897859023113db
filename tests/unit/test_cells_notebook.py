"""textbook.cells.notebook: the companion notebook is valid, faithful and byte-for-byte stable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.damage import DAMAGES
from textbook.cells import notebook

CELLS = [
    notebook.NotebookCell(
        "cell-a", "First & best", "cells/a.py", "import numpy as np\nprint(1)\n",
        (("stdout", "1\n"),),
    ),
    notebook.NotebookCell(
        "cell-b", "Second", "cells/b.py", "x = 2",
        (("stdout", "a\nb\n"), ("stderr", "warn\n"), ("stdout", "c")),
    ),
    notebook.NotebookCell("cell-c", "Silent", "cells/c.py", "y = 3\n", ()),
]  # fmt: skip


def test_notebook_structure_and_content():
    nb = notebook.build_notebook("Chapter: runnable cells", CELLS)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert [c.cell_type for c in nb.cells] == ["markdown"] + ["markdown", "code"] * 3
    assert [c.id for c in nb.cells] == [
        "notebook-title", "cell-a-md", "cell-a", "cell-b-md", "cell-b", "cell-c-md", "cell-c",
    ]  # fmt: skip
    assert nb.cells[0].source.startswith("# Chapter: runnable cells\n\nGenerated from `cells/a.py`")
    assert nb.cells[1].source == "## First & best\n\nSource: `cells/a.py`"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["import numpy as np\nprint(1)", "x = 2", "y = 3"]
    assert [c.execution_count for c in code] == [1, 2, 3]
    assert [(o.name, o.text) for o in code[1].outputs] == [
        ("stdout", "a\nb\n"), ("stderr", "warn\n"), ("stdout", "c"),
    ]  # fmt: skip
    assert code[2].outputs == []
    assert nb.metadata.kernelspec.name == "python3"


def test_dumps_is_deterministic_across_processes():
    text = notebook.dumps(notebook.build_notebook("T", CELLS))
    assert text.endswith("}\n") and text == notebook.dumps(notebook.build_notebook("T", CELLS))
    script = (
        "from tests.unit.test_cells_notebook import CELLS\n"
        "from textbook.cells import notebook\n"
        "import sys; sys.stdout.write(notebook.dumps(notebook.build_notebook('T', CELLS)))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "random"}, cwd=Path(__file__).resolve().parents[2],
    ).stdout  # fmt: skip
    assert other == text
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert nbformat.reads(text, as_version=4).cells[2].source == "import numpy as np\nprint(1)"


@pytest.mark.parametrize("bad", ["has space", "x" * 65, "dot.ted"])
def test_invalid_cell_ids_are_refused(bad):
    cell = notebook.NotebookCell(bad, "T", "s.py", "", ())
    with pytest.raises(ValueError, match="not a valid notebook cell id"):
        notebook.build_notebook("T", [cell])


def test_duplicate_cell_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate cell ids in one notebook: cell-a"):
        notebook.build_notebook("T", [CELLS[0], CELLS[0]])


@pytest.mark.parametrize(
    ("page", "uri"),
    [
        ("01-computer-vision.md", "notebooks/01-computer-vision.ipynb"),
        ("part/chapter.md", "notebooks/part/chapter.ipynb"),
        ("index.md", "notebooks/index.ipynb"),
    ],
)
def test_notebook_uri(page, uri):
    assert notebook.notebook_uri(page) == uri


@pytest.mark.parametrize(
    ("markdown", "title"),
    [
        ("---\ntitle: x\n---\n\n# Computer Vision { #chapter }\n\ntext", "Computer Vision"),
        ("## Not a title\n# Real one\n", "Real one"),
        ("no heading at all\n", "fallback.md"),
        ("#NoSpace\n", "fallback.md"),
    ],
)
def test_page_title(markdown, title):
    assert notebook.page_title(markdown, "fallback.md") == title


def test_write_if_changed_keeps_an_identical_file(tmp_path):
    path = tmp_path / "nb" / "x.ipynb"
    assert notebook.write_if_changed(path, "a") is True
    assert notebook.write_if_changed(path, "a") is False
    assert notebook.write_if_changed(path, "b") is True and path.read_text() == "b"
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.ipynb"]


def test_banner_escapes_its_links():
    assert notebook.banner('a"b.ipynb', "../") == (
        '<p class="tb-cell-notebook"><a href="a&quot;b.ipynb" download>Download this notebook'
        ' (.ipynb)</a> · generated from the runnable cells of <a href="../">the chapter page</a>.'
        "</p>\n"
    )


def test_notebook_uris_of_pages_with_cells(tmp_path):
    (tmp_path / "part").mkdir()
    (tmp_path / "a.md").write_text("cells here")
    (tmp_path / "b.md").write_text("nothing")
    (tmp_path / "part" / "c.md").write_text("cells too")
    found = notebook.notebook_uris(tmp_path, lambda text: "cells" in text)
    assert found == ["notebooks/a.ipynb", "notebooks/part/c.ipynb"]


def test_write_notebook_rebuilds_only_for_new_inputs_or_an_altered_file(tmp_path, monkeypatch):
    path = tmp_path / "nb.ipynb"
    builds = []
    real_build = notebook.build_notebook
    monkeypatch.setattr(
        notebook, "build_notebook", lambda *a, **k: builds.append(1) or real_build(*a, **k)
    )
    assert notebook.write_notebook(path, "T", CELLS) is True
    expected = notebook.dumps(real_build("T", CELLS))
    assert path.read_text() == expected and len(builds) == 1
    assert notebook.write_notebook(path, "T", CELLS) is False and len(builds) == 1  # same inputs
    path.write_text(expected.replace('"1\\n"', '"2\\n"'))  # altered output in the file
    assert notebook.write_notebook(path, "T", CELLS) is True and path.read_text() == expected
    path.write_bytes(b"\xff\xfe not UTF-8")
    assert notebook.write_notebook(path, "T", CELLS) is True and path.read_text() == expected
    assert len(builds) == 1  # put back from the cache
    assert notebook.write_notebook(path, "T2", CELLS) is True and len(builds) == 2  # new title
    assert '"# T2' in path.read_text()
    changed = [CELLS[0], notebook.NotebookCell("cell-b", "Second", "cells/b.py", "x = 3", ())]
    assert notebook.write_notebook(path, "T2", changed) is True and "x = 3" in path.read_text()


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_notebook_cache_entry_is_rebuilt(tmp_path, damage):
    path = tmp_path / "nb.ipynb"
    notebook.write_notebook(path, "T", CELLS, tmp_path / "c")
    expected = path.read_bytes()
    (entry,) = (tmp_path / "c").iterdir()
    damage(entry)
    path.write_bytes(b"\xff")
    assert notebook.write_notebook(path, "T", CELLS, tmp_path / "c") is True
    assert path.read_bytes() == expected
