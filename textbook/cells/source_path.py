"""Where a cell's code may come from: a file inside the project's `cells/` folder, nowhere else.

A cell's `source:` is run at build time and published on the page, so a path that leaves
`cells/` (`../../etc/x.py`, `/usr/lib/python3.11/this.py`, a symlink out of the folder) would
run and publish any file of the machine. The path is resolved (`..` and symlinks followed)
before it is checked.
"""

from __future__ import annotations

from pathlib import Path

CELLS_FOLDER = "cells"


def outside_cells(root: Path, resolved: Path) -> bool:
    """True if the resolved cell file is not inside `root`'s `cells/` folder."""
    return not resolved.is_relative_to((root / CELLS_FOLDER).resolve())


def outside_message(source: str) -> str:
    return (
        f"cell source {source!r} is outside the project's {CELLS_FOLDER}/ folder; a cell runs "
        f"and is published, so only files in {CELLS_FOLDER}/ may be cells: move the file there "
        f"and write `source: {CELLS_FOLDER}/NAME.py`"
    )
