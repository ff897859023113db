"""textbook.core.files: atomic writes, pruning unused cache entries."""

from __future__ import annotations

import pytest

from textbook.core.files import prune, write_atomic


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

    monkeypatch.setattr("textbook.core.files.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["file.json"]


def test_prune_deletes_only_unlisted_entries_of_the_pattern(tmp_path):
    for name in ("keep.json", "old.json", "notes.txt", ".old.json.123.tmp"):
        (tmp_path / name).write_text("x")
    (tmp_path / "fonts").mkdir()  # another cache nested inside: not this one's entries
    (tmp_path / "fonts" / "old.json").write_text("x")
    assert prune(tmp_path, {"keep.json"}, "*.json") == [tmp_path / "old.json"]
    # A writer's temporary file (a concurrent build's) and other kinds of file stay.
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".old.json.123.tmp",
        "fonts",
        "keep.json",
        "notes.txt",
    ]
    assert (tmp_path / "fonts" / "old.json").exists()
    assert prune(tmp_path / "missing", set()) == []
