import pytest

from tests.damage import DAMAGES
from textbook.core.cache import Cache, digest, opened


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path, damage):
    cache = Cache(tmp_path)
    key = digest("some", "inputs")
    cache.put(key, {"value": [1, 2.5, "three"]})
    assert Cache(tmp_path).get(key) == {"value": [1, 2.5, "three"]}
    damage(cache.path(key))
    fresh = Cache(tmp_path)
    assert fresh.get(key) is None and fresh.misses == 1
    assert not cache.path(key).exists()
    assert fresh.fetch(key, lambda: {"value": "again"}) == {"value": "again"}
    assert Cache(tmp_path).get(key) == {"value": "again"}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_bytes_entry_is_a_miss(tmp_path, damage):
    cache = Cache(tmp_path, ".bin")
    cache.put_bytes("k1", b"\x00\xffpayload\n\n")
    assert Cache(tmp_path, ".bin").get_bytes("k1") == b"\x00\xffpayload\n\n"
    damage(cache.path("k1"))
    assert Cache(tmp_path, ".bin").get_bytes("k1") is None


def test_an_entry_is_only_served_for_its_own_key(tmp_path):
    cache = Cache(tmp_path)
    cache.put("a", [1])
    cache.path("a").rename(cache.path("b"))  # a valid entry under another name
    assert cache.get("b") is None and not cache.path("b").exists()


def test_shape_check_rejects_a_verified_value_of_the_wrong_shape(tmp_path):
    cache = Cache(tmp_path)
    cache.put("k", [])
    assert cache.get("k", valid=lambda v: v["outputs"]) is None  # KeyError -> miss
    cache.put("k", {"outputs": []})
    assert cache.get("k", valid=lambda v: isinstance(v["outputs"], list)) == {"outputs": []}


def test_prune_keeps_only_what_was_asked_for(tmp_path):
    Cache(tmp_path).put("old", 1)
    Cache(tmp_path).put("kept", 2)
    (tmp_path / ".hidden.json").write_text("x")
    (tmp_path / "other.txt").write_text("x")
    cache = Cache(tmp_path)
    assert cache.get("kept") == 2
    assert cache.get("absent") is None
    assert [p.name for p in cache.prune()] == ["old.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden.json", "kept.json", "other.txt"]
    assert Cache(tmp_path / "none").prune() == []


def test_keys_must_be_file_names(tmp_path):
    with pytest.raises(ValueError):
        Cache(tmp_path).get("../escape")


def test_digest_separates_parts():
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(b"x") == digest("x")


def test_opened_keeps_one_cache_for_a_whole_build(tmp_path):
    build = Cache(tmp_path, ".html")
    assert opened(build) is build
    fresh = opened(tmp_path, ".html", "x")
    assert isinstance(fresh, Cache) and (fresh.directory, fresh.suffix) == (tmp_path, ".html")
