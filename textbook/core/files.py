"""Writing files so that no reader ever sees half of one; clearing out unused cache entries."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    A concurrent reader (another build, the server) sees the old file or the new one, and an
    interrupted write leaves no partial file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp creates 0600; published files are world-readable
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prune(directory: Path, keep: Iterable[str], pattern: str = "*") -> list[Path]:
    """Delete the files in ``directory`` that match ``pattern`` and are not named in ``keep``
    (cache entries the build that just finished did not use); returns the deleted paths.

    Only after a complete build: one that skipped pages (``--dirty``) did not use everything
    the site needs."""
    wanted = set(keep)
    stale = [
        path
        for path in sorted(Path(directory).glob(pattern))
        if path.is_file() and path.name not in wanted and not path.name.startswith(".")
    ]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
