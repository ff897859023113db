"""Section 1.1: a brightness change moves every pixel and can be as far as a new object."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from figures_src.kernels.pixels import (
    brighten,
    brightness_shift_for_distance,
    pixel_demo_scenes,
    pixel_distance,
)


def test_default_scenes_reproduce_the_chapter_listing():
    scenes = pixel_demo_scenes()
    assert scenes.original.shape == (8, 8)
    assert np.count_nonzero(scenes.original) == 9 and scenes.original.max() == 0.8
    # Every one of the 64 values rises by 0.15 (none hits the clip at 1).
    assert pixel_distance(scenes.original, scenes.brighter) == pytest.approx(0.15 * 8)
    # Moving the 3x3 square: 18 pixels each differ by 0.8.
    assert pixel_distance(scenes.original, scenes.different) == pytest.approx(0.8 * math.sqrt(18))


def test_brightening_moves_every_pixel_but_moving_the_object_leaves_most_alone():
    scenes = pixel_demo_scenes()
    assert np.all(scenes.brighter != scenes.original)
    assert np.count_nonzero(scenes.different != scenes.original) == 18


def test_a_moderate_brightness_change_is_as_far_as_a_different_object():
    scenes = pixel_demo_scenes()
    object_distance = pixel_distance(scenes.original, scenes.different)
    shift = brightness_shift_for_distance(scenes.original, object_distance)
    # Closed form: above a shift of 0.2 the nine square pixels are clipped at 1 and move 0.2,
    # while the 55 background pixels move by the full shift.
    expected = math.sqrt((object_distance**2 - 9 * 0.2**2) / 55)
    assert shift == pytest.approx(expected, abs=1e-8)
    assert shift < 0.5  # less than half the intensity range
    assert pixel_distance(scenes.original, brighten(scenes.original, shift)) >= object_distance


def test_unreachable_distance_is_an_error():
    with pytest.raises(ValueError, match="no brightness shift"):
        brightness_shift_for_distance(np.full((2, 2), 0.9), 1.0)


@settings(max_examples=60, deadline=None)
@given(
    image=hnp.arrays(np.float64, (4, 5), elements=st.floats(0, 1)),
    amount=st.floats(-2, 2),
)
def test_brighten_stays_in_range_and_moves_each_value_by_at_most_the_amount(image, amount):
    result = brighten(image, amount)
    assert np.all((result >= 0) & (result <= 1))
    assert np.all(np.abs(result - image) <= abs(amount) + 1e-12)
    assert pixel_distance(image, result) <= abs(amount) * math.sqrt(image.size) + 1e-9


@pytest.mark.parametrize(("side", "square"), [(8, 3), (16, 5), (4, 1)])
def test_scene_builder_places_two_disjoint_squares(side, square):
    scenes = pixel_demo_scenes(side=side, square=square)
    assert np.count_nonzero(scenes.original) == np.count_nonzero(scenes.different) == square**2
    assert not np.any((scenes.original > 0) & (scenes.different > 0))


def test_scene_builder_rejects_a_square_that_does_not_fit_twice():
    with pytest.raises(ValueError, match="too small"):
        pixel_demo_scenes(side=6, square=3)


def test_pixel_distance_needs_equal_shapes():
    with pytest.raises(ValueError, match="same shape"):
        pixel_distance(np.zeros((2, 2)), np.zeros((2, 3)))
