"""Where a cell's code may come from: a file inside the project's `cells/` folder, nowhere else.

A cell's `source:` is run at build time and published on the page, so a path that leaves
`cells/` (`../../etc/x.py`, `/usr/lib/python3.11/this.py`, a symlink out of the folder) would
run and publish any file of the machine. The path is resolved (`..` and symlinks followed)
before it is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

CELLS_FOLDER = "cells"
_SOURCE_OPTION_RE = re.compile(r"^[ \t]+source:", re.MULTILINE)
_DATA_SOURCE_RE = re.compile(r"\bdata-source=")


def outside_cells(root: Path, resolved: Path) -> bool:
    """True if the resolved cell file is not inside `root`'s `cells/` folder."""
    return not resolved.is_relative_to((root / CELLS_FOLDER).resolve())


def outside_message(source: str) -> str:
    return (
        f"cell source {source!r} is outside the project's {CELLS_FOLDER}/ folder; a cell runs "
        f"and is published, so only files in {CELLS_FOLDER}/ may be cells: move the file there "
        f"and write `source: {CELLS_FOLDER}/NAME.py`"
    )


def source_line(markdown: str, block_line: int) -> int:
    """The line of the `source:` option of the cell block (or placeholder) at `block_line`."""
    if block_line < 1:
        return block_line
    lines = markdown.splitlines()
    for index in range(block_line - 1, len(lines)):
        text = lines[index]
        if _SOURCE_OPTION_RE.match(text + "\n") or _DATA_SOURCE_RE.search(text):
            return index + 1
        if index > block_line - 1 and text.strip().startswith("///"):
            break
    return block_line
