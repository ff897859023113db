"""ViT patch arithmetic (EQ MM1.2) and patchify against explicit loops."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from figures_src.kernels.patches import (
    attention_cost,
    num_patches,
    patch_dim,
    patch_grid,
    patchify,
    sequence_length,
)
from figures_src.numbers import format_compact, format_thousands


@pytest.mark.parametrize(
    ("height", "width", "patch", "grid", "patches", "with_cls"),
    [
        (224, 224, 16, (14, 14), 196, 197),  # the chapter's ViT-B/16 numbers
        (224, 224, 8, (28, 28), 784, 785),
        (224, 224, 32, (7, 7), 49, 50),
        (8, 8, 2, (4, 4), 16, 17),  # the in-browser listing's toy image
        (32, 64, 16, (2, 4), 8, 9),  # non-square images tile row by column
        (16, 16, 16, (1, 1), 1, 2),
    ],
)
def test_patch_counts(height, width, patch, grid, patches, with_cls):
    assert patch_grid(height, width, patch) == grid
    assert num_patches(height, width, patch) == patches
    assert sequence_length(height, width, patch) == with_cls
    assert sequence_length(height, width, patch, cls_token=False) == patches


def test_chapter_attention_cost_is_196_squared_shown_as_38_4k():
    n = num_patches(224, 224, 16)
    assert attention_cost(n) == 38_416 == 196 * 196
    assert format_compact(attention_cost(n)) == "38.4K"


def test_halving_the_patch_quadruples_tokens_and_multiplies_attention_by_16():
    coarse, fine = num_patches(224, 224, 16), num_patches(224, 224, 8)
    assert fine == 4 * coarse
    assert attention_cost(fine) == 16 * attention_cost(coarse)


@pytest.mark.parametrize(
    ("patch", "channels", "values"), [(16, 3, 768), (2, 3, 12), (14, 3, 588), (16, 1, 256)]
)
def test_patch_dim_is_p_squared_times_channels(patch, channels, values):
    assert patch_dim(patch, channels) == values


def test_patchify_keeps_all_150528_values_of_a_224_rgb_image():
    image = np.random.default_rng(0).random((224, 224, 3))
    patches = patchify(image, 16)
    assert patches.shape == (196, 768)
    assert patches.size == num_patches(224, 224, 16) * patch_dim(16) == 150_528
    assert format_thousands(patches.size) == "150,528"
    # Patchify only rearranges: the multiset of values is unchanged.
    assert np.array_equal(np.sort(patches, axis=None), np.sort(image, axis=None))


def _patchify_with_loops(image: np.ndarray, patch: int) -> np.ndarray:
    height, width, channels = image.shape
    rows = []
    for top in range(0, height, patch):  # grid rows, top to bottom
        for left in range(0, width, patch):  # grid columns, left to right
            flat = []
            for r in range(patch):
                for c in range(patch):
                    for ch in range(channels):
                        flat.append(image[top + r, left + c, ch])
            rows.append(flat)
    return np.array(rows)


@settings(max_examples=40, deadline=None)
@given(
    patch=st.integers(1, 5),
    grid_rows=st.integers(1, 4),
    grid_cols=st.integers(1, 4),
    channels=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_patchify_matches_explicit_loops(patch, grid_rows, grid_cols, channels, seed):
    image = np.random.default_rng(seed).random((grid_rows * patch, grid_cols * patch, channels))
    assert np.array_equal(patchify(image, patch), _patchify_with_loops(image, patch))


def test_patchify_accepts_grayscale_as_one_channel():
    image = np.arange(16.0).reshape(4, 4)
    assert np.array_equal(patchify(image, 2), patchify(image[:, :, np.newaxis], 2))
    assert patchify(image, 2)[1].tolist() == [2.0, 3.0, 6.0, 7.0]  # top-right block


@settings(max_examples=60, deadline=None)
@given(height=st.integers(1, 512), width=st.integers(1, 512), patch=st.integers(2, 64))
def test_a_patch_that_does_not_divide_the_image_is_an_error(height, width, patch):
    assume(height % patch or width % patch)
    with pytest.raises(ValueError, match=f"patch size {patch} does not divide .*{height}x{width}"):
        patch_grid(height, width, patch)
    with pytest.raises(ValueError, match="does not divide"):
        num_patches(height, width, patch)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 40), cols=st.integers(1, 40), patch=st.integers(1, 32))
def test_dividing_patches_always_tile_the_image(rows, cols, patch):
    height, width = rows * patch, cols * patch
    assert patch_grid(height, width, patch) == (rows, cols)
    assert num_patches(height, width, patch) * patch * patch == height * width


@pytest.mark.parametrize(
    "call",
    [
        lambda: patch_grid(0, 224, 16),
        lambda: patch_grid(224, 224, 0),
        lambda: patch_grid(224.0, 224, 16),
        lambda: patch_dim(16, 0),
        lambda: attention_cost(0),
        lambda: patchify(np.zeros((4, 4, 3, 1)), 2),
        lambda: patchify(np.zeros((6, 4, 3)), 4),
    ],
)
def test_invalid_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
