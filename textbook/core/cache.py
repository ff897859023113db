"""The build's one on-disk cache: content-addressed entries that are verified on every read.

Each feature (computed facts, KaTeX formulas, cell outputs, highlighted code, fonts per page,
the companion notebook, compiled templates) keeps its entries in its own folder under
``.cache/`` through a :class:`Cache`. An entry is one file ``<key><suffix>``::

    tbcache1 <key> <sha256 of payload>\\n<payload bytes>

A read checks the header names the key asked for and that the payload's digest matches, then
(for JSON entries) that the payload decodes and passes the caller's shape check. Anything
else (missing file, empty file, ``{}``, ``[]``, malformed JSON, non-UTF-8 bytes, an edited or
truncated payload) is a miss: the entry is removed and the caller computes the value again.
Writes are atomic (:func:`textbook.core.files.write_atomic`), so a concurrent build or a kill
never leaves half an entry. After a complete build, :meth:`Cache.prune` removes the entries
the build did not ask for.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textbook.core.files import prune, write_atomic

MAGIC = b"tbcache1"
log = logging.getLogger("mkdocs.plugins.textbook.cache")
_KEY_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")


def digest(*parts: str | bytes) -> str:
    """sha256 hex of ``parts`` separated by NUL bytes: the usual way to make a key."""
    hasher = hashlib.sha256()
    for index, part in enumerate(parts):
        if index:
            hasher.update(b"\0")
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
    return hasher.hexdigest()


def json_bytes(value: Any) -> bytes:
    """Canonical JSON of ``value`` (sorted keys, UTF-8): equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class Cache:
    """Verified entries in ``directory``; ``suffix`` names their files (``.json`` by default),
    ``what`` names the entries in the log line of a discarded one."""

    def __init__(self, directory: Path, suffix: str = ".json", what: str = "cache entry"):
        self.directory = Path(directory)
        self.suffix = suffix
        self.what = what
        self.used: set[str] = set()  # keys asked for or written: what prune() keeps
        self.misses = 0  # entries that were absent or failed verification

    def path(self, key: str) -> Path:
        if not _KEY_RE.fullmatch(key):
            raise ValueError(f"cache key {key!r} is not a plain file name")
        return self.directory / f"{key}{self.suffix}"

    def get_bytes(self, key: str) -> bytes | None:
        """The payload stored under ``key``, or None when it is absent or fails verification."""
        path = self.path(key)
        self.used.add(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        header, newline, payload = data.partition(b"\n")
        expected = b" ".join((MAGIC, key.encode(), hashlib.sha256(payload).hexdigest().encode()))
        if not newline or header != expected:
            self.discard(key)
            return None
        return payload

    def put_bytes(self, key: str, payload: bytes) -> None:
        self.used.add(key)
        header = b" ".join((MAGIC, key.encode(), hashlib.sha256(payload).hexdigest().encode()))
        try:
            write_atomic(self.path(key), header + b"\n" + payload)
        except OSError:
            pass  # an unwritable cache only costs the next build the work again

    def get(self, key: str, valid: Callable[[Any], bool] | None = None) -> Any | None:
        """The JSON value under ``key`` if it verifies and ``valid(value)`` holds, else None."""
        payload = self.get_bytes(key)
        if payload is None:
            return None
        try:
            value = json.loads(payload.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError is a ValueError
            value = None
        if value is None or (valid is not None and not _holds(valid, value)):
            self.discard(key)
            return None
        return value

    def put(self, key: str, value: Any) -> None:
        self.put_bytes(key, json_bytes(value))

    def fetch(self, key: str, compute: Callable[[], Any], valid=None) -> Any:
        """The cached value of ``key``, or ``compute()`` stored under it."""
        value = self.get(key, valid)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    def discard(self, key: str) -> None:
        """Remove a damaged entry (logged: someone or something wrote to the cache)."""
        self.misses += 1
        path = self.path(key)
        log.info(f"discarded damaged {self.what} {path}; computing it again")
        path.unlink(missing_ok=True)

    def prune(self) -> list[Path]:
        """Delete the entries no one asked for since this cache was opened (call it only after
        a complete build: a ``--dirty`` one did not ask for everything the site needs)."""
        if not self.directory.is_dir():
            return []
        return prune(
            self.directory, {f"{key}{self.suffix}" for key in self.used}, f"*{self.suffix}"
        )


def opened(cache: Cache | Path, suffix: str = ".json", what: str = "cache entry") -> Cache:
    """``cache`` itself, or a Cache of the folder ``cache`` (callers may pass either: a build
    keeps one Cache for its whole run, so that prune() knows every key it used)."""
    return cache if isinstance(cache, Cache) else Cache(cache, suffix, what)


def _holds(valid: Callable[[Any], bool], value: Any) -> bool:
    try:
        return bool(valid(value))
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
