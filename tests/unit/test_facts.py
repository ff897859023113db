import shutil
from pathlib import Path

import numpy as np
import pytest

from figures_src.kernels import iou, mini_clip, patches
from tests.damage import DAMAGES
from textbook.chapter import facts
from textbook.core.errors import SourceError

ROOT = Path(__file__).resolve().parents[2]


def test_chapter_numbers_come_from_the_kernels():
    assert facts.text("vit_patches") == str(patches.num_patches(224, 224, 16)) == "196"
    assert facts.text("vit_sequence") == "197"
    assert facts.text("vit_attention_cost") == "38,416"
    assert facts.text("vit_attention_cost_compact") == "38.4K"
    assert facts.text("image_values_224") == "150,528"
    assert facts.text("vit_patch_values") == "768"
    assert facts.value("iou_example") == pytest.approx(iou.iou(*iou.IOU_EXAMPLE_BOXES))
    assert facts.text("iou_example") == "0.333"
    assert facts.text("iou_example_fraction") == "1/3"
    assert facts.text("rf_default_px") == "11"
    assert facts.text("rf_default_stride") == "2"
    assert facts.text("rf_two_3x3") == "5"
    assert facts.text("half_patch_token_factor") == "4"
    assert facts.text("half_patch_attention_factor") == "16"


def test_iou_shift_facts_match_an_independent_computation():
    # A side-s square moved d px right and d px down shares a (s - d) x (s - d) square.
    def by_hand(side: int, d: int) -> float:
        return (side - d) ** 2 / (2 * side**2 - (side - d) ** 2)

    assert (facts.text("iou_shift_small_side"), facts.text("iou_shift_large_side")) == ("32", "256")
    assert facts.text("iou_shift_px") == "10"
    assert facts.value("iou_shift_small") == pytest.approx(by_hand(32, 10))
    assert facts.value("iou_shift_large") == pytest.approx(by_hand(256, 10))
    assert (facts.text("iou_shift_small"), facts.text("iou_shift_large")) == ("0.31", "0.86")


def test_clip_toy_cosines_come_from_the_trained_miniature_model():
    trained = mini_clip.default_trained_clip()
    data = trained.held_out
    texts = trained.embed_texts([f"a photo of a {label}" for label in data.label_names])
    cosines = trained.embed_images(data.images) @ texts.T  # unit vectors: dot = cosine
    own = cosines[np.arange(len(data)), data.labels]
    others = (cosines.sum(axis=1) - own) / (len(data.label_names) - 1)
    assert facts.value("clip_toy_matched_cosine") == pytest.approx(own.mean())
    assert facts.value("clip_toy_mismatched_cosine") == pytest.approx(others.mean())
    matched = facts.text("clip_toy_matched_cosine")
    assert matched == f"{own.mean():.2f}"
    assert facts.text("clip_toy_mismatched_cosine") == f"{others.mean():.2f}".replace("-", "\u2212")


def test_every_name_formats():
    for name in facts.names():
        assert facts.text(name)


def test_substitute_replaces_outside_code_only():
    text = (
        "N = {{ vit_patches }}, \\(x = {{vit_sequence}}\\)\n\n```py\nd = {{ vit_patches }}\n```\n"
    )
    out = facts.substitute(text, "docs/x.md")
    assert out.startswith("N = 196, \\(x = 197\\)")
    assert "d = {{ vit_patches }}" in out


def test_unknown_name_fails_with_file_and_line():
    with pytest.raises(SourceError) as caught:
        facts.substitute("a\nb {{ nope }}\n", "docs/x.md", first_line=4)
    assert str(caught.value).startswith("docs/x.md:5: unknown computed value '{{ nope }}'")


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_disk_cache_serves_the_kernel_values_and_recomputes_when_damaged(
    tmp_path, monkeypatch, damage
):
    monkeypatch.setattr(facts, "CACHE_DIR", tmp_path)
    computed = facts._compute_values()
    calls = []
    monkeypatch.setattr(facts, "_compute_isolated", lambda: calls.append(1) or dict(computed))

    def values():
        facts._values.cache_clear()
        return facts._values()

    try:
        assert values() == computed and len(calls) == 1
        assert values() == computed and len(calls) == 1  # served from disk
        # Types survive the round trip (ints stay ints: "196", not "196.0").
        assert {k: type(v) for k, v in values().items()} == {
            k: type(v) for k, v in computed.items()
        }
        (entry,) = tmp_path.glob("*.json")
        damage(entry)
        assert values() == computed and len(calls) == 2
    finally:
        facts._values.cache_clear()


def test_a_kernel_change_recomputes_the_facts(tmp_path, monkeypatch):
    monkeypatch.setattr(facts, "CACHE_DIR", tmp_path)
    calls = []
    monkeypatch.setattr(facts, "_compute_isolated", lambda: calls.append(1) or {"a": 1})
    monkeypatch.setattr(facts, "_inputs_digest", lambda: "0" * 64)
    try:
        facts._values.cache_clear()
        facts._values()
        monkeypatch.setattr(facts, "_inputs_digest", lambda: "1" * 64)
        facts._values.cache_clear()
        assert facts._values() == {"a": 1} and len(calls) == 2
    finally:
        facts._values.cache_clear()


def test_cache_key_covers_every_kernel_module():
    kernels = {p.name for p in facts.INPUTS}
    for module in (iou, patches):
        assert Path(module.__file__).name in kernels
    assert "facts.py" in kernels and "numbers.py" in kernels


def broken_project(tmp_path, old, new):
    """A copy of the project's figures_src whose patches kernel has ``old`` replaced."""
    shutil.copytree(ROOT / "figures_src", tmp_path / "figures_src",
                    ignore=shutil.ignore_patterns("__pycache__", "figures"))  # fmt: skip
    kernel = tmp_path / "figures_src" / "kernels" / "patches.py"
    source = kernel.read_text()
    assert old in source
    kernel.write_text(source.replace(old, new, 1))
    line = kernel.read_text()[: kernel.read_text().index(new)].count("\n") + 1
    return line


def test_a_looping_kernel_times_out_naming_the_kernel_line_and_the_page_line(tmp_path, monkeypatch):
    line = broken_project(tmp_path, "    return", "    while True: pass  # one line\n    return")
    monkeypatch.setattr(facts, "PROJECT", tmp_path)
    monkeypatch.setattr(facts, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(facts, "TIMEOUT", 2.0)
    facts._values.cache_clear()
    try:
        with pytest.raises(SourceError) as caught:
            facts.substitute("intro\n\nthere are {{ vit_patches }} patches\n", "docs/x.md", 10)
    finally:
        facts._values.cache_clear()
    assert str(caught.value) == (
        "docs/x.md:12: computing '{{ vit_patches }}': the kernel at "
        f"figures_src/kernels/patches.py:{line} did not finish within 2 s"
    )


def test_a_failing_kernel_names_the_kernel_line_and_the_exception(tmp_path, monkeypatch):
    line = broken_project(tmp_path, "    return", "    raise ValueError('bad grid')\n    return")
    monkeypatch.setattr(facts, "PROJECT", tmp_path)
    monkeypatch.setattr(facts, "CACHE_DIR", tmp_path / "cache")
    facts._values.cache_clear()
    try:
        with pytest.raises(SourceError) as caught:
            facts.substitute("{{ vit_patches }}\n", "docs/x.md")
    finally:
        facts._values.cache_clear()
    assert str(caught.value) == (
        "docs/x.md:1: computing '{{ vit_patches }}': the kernel at "
        f"figures_src/kernels/patches.py:{line} failed: ValueError: bad grid"
    )
