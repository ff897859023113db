import json

import pytest

from tests.damage import DAMAGES
from textbook.cells import jupyter_cache


def entry(cache, name, content):
    path = cache / name
    path.write_text(json.dumps(content))
    return path


def test_recorded_entries_are_kept_and_damaged_or_unknown_ones_removed(tmp_path):
    good = entry(tmp_path, "a.json", {"content": "<p>a</p>"})
    altered = entry(tmp_path, "b.json", {"content": "<p>b</p>"})
    truncated = entry(tmp_path, "c.json", {"content": "<p>c</p>"})
    assert jupyter_cache.record(tmp_path) == 3
    altered.write_text(json.dumps({"content": "<script>evil()</script>"}))
    truncated.write_text(truncated.read_text()[:5])
    unknown = entry(tmp_path, "d.json", {"content": "never recorded"})
    assert jupyter_cache.discard_untrusted(tmp_path) == ["b.json", "c.json", "d.json"]
    assert good.exists() and not altered.exists() and not truncated.exists()
    assert not unknown.exists()
    assert jupyter_cache.discard_untrusted(tmp_path) == []


def test_without_a_record_nothing_is_trusted(tmp_path):
    entry(tmp_path, "a.json", {"content": "x"})
    assert jupyter_cache.discard_untrusted(tmp_path) == ["a.json"]


def test_missing_cache_dir_is_fine(tmp_path):
    assert jupyter_cache.discard_untrusted(tmp_path / "none") == []
    assert jupyter_cache.record(tmp_path / "none") == 0


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_record_trusts_nothing_and_never_crashes(tmp_path, damage):
    entry(tmp_path, "a.json", {"content": "x"})
    jupyter_cache.record(tmp_path)
    (record,) = tmp_path.glob("SHA256SUMS*")
    damage(record)
    assert jupyter_cache.discard_untrusted(tmp_path) == ["a.json"]


def test_the_checksums_file_of_earlier_versions_is_ignored_even_if_not_utf8(tmp_path):
    entry(tmp_path, "a.json", {"content": "x"})
    (tmp_path / "SHA256SUMS").write_bytes(b"\xff\xfe  a.json\n")
    assert jupyter_cache.discard_untrusted(tmp_path) == ["a.json"]
