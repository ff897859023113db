"""textbook.files: atomic writes."""

from __future__ import annotations

import pytest

from textbook.files import write_atomic


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "file.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [path.name for path in target.parent.iterdir()] == ["file.json"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_write_atomic_keeps_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "file.json"
    write_atomic(target, b"old")

    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr("textbook.files.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["file.json"]
