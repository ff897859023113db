"""A checksum guard for mkdocs-jupyter's page cache.

mkdocs-jupyter caches each rendered notebook page as JSON and trusts it blindly: a truncated
entry crashes the build and an altered one is served. After every build we record the sha256
of each entry in a verified entry of our own cache (`textbook.core.cache`); before the next
one, any entry whose digest is not on record is removed, so mkdocs-jupyter renders that
notebook afresh instead of reading it. A damaged record trusts nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from textbook.core.cache import Cache

# Not *.json: mkdocs-jupyter evicts unknown *.json files.
SUMS_KEY, SUMS_SUFFIX = "SHA256SUMS", ".verified"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sums(cache_dir: Path) -> Cache:
    return Cache(cache_dir, SUMS_SUFFIX, what="notebook page checksums")


def discard_untrusted(cache_dir: Path) -> list[str]:
    """Remove cache entries whose bytes differ from what the last build recorded."""
    if not cache_dir.is_dir():
        return []
    sums = _sums(cache_dir).get(SUMS_KEY, lambda v: all(isinstance(d, str) for d in v.values()))
    removed = []
    for entry in sorted(cache_dir.glob("*.json")):
        if (sums or {}).get(entry.name) != _digest(entry):
            entry.unlink()
            removed.append(entry.name)
    return removed


def record(cache_dir: Path) -> int:
    """Write the digests of the current entries (atomically); returns how many."""
    if not cache_dir.is_dir():
        return 0
    sums = {e.name: _digest(e) for e in sorted(cache_dir.glob("*.json"))}
    _sums(cache_dir).put(SUMS_KEY, sums)
    (cache_dir / "SHA256SUMS").unlink(missing_ok=True)  # the record of earlier versions
    return len(sums)
