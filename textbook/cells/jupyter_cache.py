"""A checksum guard for mkdocs-jupyter's page cache.

mkdocs-jupyter caches each rendered notebook page as JSON and trusts it blindly: a truncated
entry crashes the build and an altered one is served. After every build we record the sha256
of each entry; before the next one, any entry whose digest is not on record is removed, so
mkdocs-jupyter renders that notebook afresh instead of reading it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from textbook.core.files import write_atomic

SUMS_NAME = "SHA256SUMS"  # not *.json: mkdocs-jupyter evicts unknown *.json files


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_sums(cache_dir: Path) -> dict[str, str]:
    sums = {}
    path = cache_dir / SUMS_NAME
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                sums[name] = digest
    return sums


def discard_untrusted(cache_dir: Path) -> list[str]:
    """Remove cache entries whose bytes differ from what the last build recorded."""
    if not cache_dir.is_dir():
        return []
    sums = _read_sums(cache_dir)
    removed = []
    for entry in sorted(cache_dir.glob("*.json")):
        if sums.get(entry.name) != _digest(entry):
            entry.unlink()
            removed.append(entry.name)
    return removed


def record(cache_dir: Path) -> int:
    """Write the digests of the current entries (atomically); returns how many."""
    if not cache_dir.is_dir():
        return 0
    lines = [f"{_digest(e)}  {e.name}\n" for e in sorted(cache_dir.glob("*.json"))]
    write_atomic(cache_dir / SUMS_NAME, "".join(lines).encode())
    return len(lines)
