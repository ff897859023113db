"""The companion notebook of a page: its runnable cells, with their build-time outputs.

Generated from the cell files on every build (never a hand-kept copy). The JSON is
deterministic: fixed cell ids (from the cell ids), sorted keys, no timestamps, no kernel noise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textbook.core.cache import Cache, opened
from textbook.core.files import write_atomic

if TYPE_CHECKING:  # nbformat is imported only when a notebook is (re)built: ~50 ms
    import nbformat

CELL_ID_RE = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


@dataclass(frozen=True)
class NotebookCell:
    id: str
    title: str
    source: str  # path of the cell file, for the reader
    code: str
    outputs: tuple[tuple[str, str], ...]


def notebook_uri(page_src_uri: str) -> str:
    """Where a page's notebook lives in the site: ``notebooks/<page path without .md>.ipynb``."""
    return f"notebooks/{posixpath.splitext(page_src_uri)[0]}.ipynb"


def notebook_uris(docs_dir: Path, has_cells) -> list[str]:
    """The notebook of every Markdown page under ``docs_dir`` for which ``has_cells(text)``."""
    return [
        notebook_uri(path.relative_to(docs_dir).as_posix())
        for path in sorted(docs_dir.rglob("*.md"))
        if has_cells(path.read_text(encoding="utf-8"))
    ]


def page_title(markdown: str, fallback: str) -> str:
    """The page's first level-1 heading (without an attribute list), else ``fallback``."""
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].split(" {", 1)[0].strip()
    return fallback


def _check_id(cell_id: str) -> str:
    if not CELL_ID_RE.match(cell_id):
        raise ValueError(
            f"cell id {cell_id!r} is not a valid notebook cell id ([a-zA-Z0-9-_]{{1,64}})"
        )
    return cell_id


def build_notebook(
    title: str, cells: Sequence[NotebookCell], *, intro: str = ""
) -> nbformat.NotebookNode:
    """A valid nbformat 4.5 notebook: a title cell, then a heading and a code cell per cell."""
    import nbformat
    from nbformat import v4

    ids = [c.id for c in cells]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate cell ids in one notebook: {', '.join(duplicates)}")
    sources = ", ".join(f"`{c.source}`" for c in cells)
    head = f"# {title}\n\n{intro}".rstrip() if intro else f"# {title}"
    head += (
        f"\n\nGenerated from {sources}. The outputs shown are those of the site build; "
        "run the cells to reproduce them."
    )
    nb_cells = [v4.new_markdown_cell(head, id="notebook-title")]
    for count, cell in enumerate(cells, start=1):
        cell_id = _check_id(cell.id)
        heading = f"## {cell.title}\n\nSource: `{cell.source}`"
        nb_cells.append(v4.new_markdown_cell(heading, id=_check_id(f"{cell_id}-md"[-64:])))
        outputs = [v4.new_output("stream", name=name, text=text) for name, text in cell.outputs]
        code = cell.code[:-1] if cell.code.endswith("\n") else cell.code
        nb_cells.append(v4.new_code_cell(code, id=cell_id, execution_count=count, outputs=outputs))
    nb = v4.new_notebook(
        cells=nb_cells,
        metadata={"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
    )
    nb.nbformat_minor = 5
    nbformat.validate(nb)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Deterministic JSON text (sorted keys, one-space indent, trailing newline)."""
    import nbformat

    return nbformat.writes(nb, version=4) + "\n"


def write_if_changed(path: Path, text: str | bytes) -> bool:
    """Write ``text`` unless the file already holds it (keeps mtimes stable); True if written."""
    data = text.encode() if isinstance(text, str) else text
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def _inputs_digest(title: str, cells: Sequence[NotebookCell]) -> str:
    # This module's own source is an input too: a change to the layout rebuilds every notebook.
    payload = json.dumps([title, [dataclasses.astuple(c) for c in cells]], ensure_ascii=False)
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(payload.encode())
    return digest.hexdigest()


def write_notebook(
    path: Path, title: str, cells: Sequence[NotebookCell], cache_dir: Path | Cache | None = None
) -> bool:
    """Write the notebook of ``cells`` into ``path``; True if the file changed.

    The notebook's text is kept in the verified cache ``cache_dir`` (default: ``.notebooks``
    beside ``path``) under the digest of its inputs, so a rebuild with the same cells does not
    import nbformat; a file altered since is put back from the cache.
    """
    cache = opened(cache_dir or path.parent / ".notebooks", ".ipynb", "notebook cache entry")
    key = _inputs_digest(title, cells)
    data = cache.get_bytes(key)
    if data is None:
        data = dumps(build_notebook(title, cells)).encode()
        cache.put_bytes(key, data)
    return write_if_changed(path, data)


def banner(download_href: str, page_href: str) -> str:
    """The line put above the rendered notebook: download it, or go back to its page."""
    return (
        f'<p class="tb-cell-notebook"><a href="{html.escape(download_href)}" download>'
        "Download this notebook (.ipynb)</a> · generated from the runnable cells of "
        f'<a href="{html.escape(page_href)}">the chapter page</a>.</p>\n'
    )
