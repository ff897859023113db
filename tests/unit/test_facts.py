import pytest

from figures_src.kernels import iou, patches
from textbook import facts
from textbook.errors import SourceError


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
