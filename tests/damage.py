"""Ways a cache file gets damaged on disk, shared by every cache's regression test.

Each damage takes the path of an existing entry and leaves something wrong there; a cache must
treat every one of them as a miss and compute the value again.
"""

from __future__ import annotations

from pathlib import Path


def _edit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    index = len(data) - 2 if len(data) > 2 else 0
    data[index] = ord("7") if data[index] != ord("7") else ord("8")  # one byte of the content
    path.write_bytes(bytes(data))


DAMAGES = {
    "missing": lambda p: p.unlink(),
    "empty": lambda p: p.write_bytes(b""),
    "empty object": lambda p: p.write_text("{}"),
    "empty list": lambda p: p.write_text("[]"),
    "malformed JSON": lambda p: p.write_text('{"outputs": [["stdout", '),
    "non-UTF-8 bytes": lambda p: p.write_bytes(b"\xff\xfe\x80 not text \xc3"),
    "edited content": _edit,
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: max(1, p.stat().st_size // 2)]),
}
