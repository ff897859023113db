"""IoU (EQ MM1.3): the chapter's example, rasterised areas, and Hypothesis properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from figures_src.kernels.iou import (
    IOU_EXAMPLE_BOXES,
    SHIFT_EXAMPLE_OFFSET,
    SHIFT_EXAMPLE_SIDES,
    box_area,
    intersection_area,
    iou,
    pairwise_iou,
    shifted_square_iou,
)


def test_chapter_example_two_unit_boxes_overlapping_in_half_give_one_third():
    first, second = IOU_EXAMPLE_BOXES
    assert box_area(first) == box_area(second) == 1.0
    assert intersection_area(first, second) == 0.5
    assert iou(first, second) == pytest.approx(1 / 3, abs=1e-15)
    assert iou(first, second) < 0.5  # below the usual acceptance threshold: not a hit


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 0, 2, 2), (1, 1, 3, 3), 1 / 7),  # overlap 1, union 4 + 4 - 1
        ((0, 0, 4, 4), (1, 1, 3, 3), 4 / 16),  # nested box: IoU is the area ratio
        ((0, 0, 1, 1), (1, 0, 2, 1), 0.0),  # sharing an edge is not overlapping
        ((0, 0, 1, 1), (5, 5, 6, 6), 0.0),
        ((0, 0, 1, 1), (0, 0, 1, 1), 1.0),
        ((0, 0, 0, 1), (0, 0, 0, 1), 0.0),  # zero-area union is defined as 0
    ],
)
def test_hand_computed_cases(a, b, expected):
    assert iou(a, b) == pytest.approx(expected, abs=1e-12)


def _rasterised_iou(a, b, step: float = 0.004) -> float:
    """IoU by counting the centres of a fine grid's cells inside each box."""
    low = min(a[0], a[1], b[0], b[1])
    high = max(a[2], a[3], b[2], b[3])
    centres = np.arange(low, high, step) + step / 2
    xs, ys = np.meshgrid(centres, centres)

    def inside(box):
        return (xs >= box[0]) & (xs < box[2]) & (ys >= box[1]) & (ys < box[3])

    in_a, in_b = inside(a), inside(b)
    return np.count_nonzero(in_a & in_b) / np.count_nonzero(in_a | in_b)


def test_iou_matches_rasterised_area_on_random_boxes():
    rng = np.random.default_rng(7)
    for _ in range(25):
        corners = rng.uniform(0, 2, size=(2, 2))
        sizes = rng.uniform(0.5, 2, size=(2, 2))
        a, b = (np.concatenate([corners[i], corners[i] + sizes[i]]) for i in range(2))
        # Edge misplacement is at most one cell of 0.004 on boxes >= 0.5 wide.
        assert iou(a, b) == pytest.approx(_rasterised_iou(a, b), abs=0.01)


coordinate = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
extent = st.floats(0, 50, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw, min_extent: float = 0.0):
    x0, y0 = draw(coordinate), draw(coordinate)
    size = st.floats(min_extent, 50, allow_nan=False, allow_infinity=False)
    return (x0, y0, x0 + draw(size), y0 + draw(size))


@settings(max_examples=150, deadline=None)
@given(a=boxes(), b=boxes())
def test_iou_is_symmetric_and_bounded(a, b):
    value = iou(a, b)
    assert value == iou(b, a)
    assert 0.0 <= value <= 1.0


@settings(max_examples=100, deadline=None)
@given(a=boxes(min_extent=1e-3))
def test_a_box_has_iou_one_with_itself(a):
    assert iou(a, a) == 1.0


@settings(max_examples=100, deadline=None)
@given(a=boxes(), gap=st.floats(0, 10), width=extent, height=extent, dy=coordinate)
def test_boxes_separated_along_x_have_iou_zero(a, gap, width, height, dy):
    left = a[2] + gap
    b = (left, dy, left + width, dy + height)
    assert iou(a, b) == 0.0
    assert intersection_area(a, b) == 0.0


@settings(max_examples=60, deadline=None)
@given(a=boxes(min_extent=0.5), b=boxes(min_extent=0.5), scale=st.floats(0.1, 10))
def test_iou_is_scale_free(a, b, scale):
    assert iou(np.multiply(a, scale), np.multiply(b, scale)) == pytest.approx(iou(a, b), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    boxes_a=st.lists(boxes(), min_size=1, max_size=6),
    boxes_b=st.lists(boxes(), min_size=1, max_size=6),
)
def test_pairwise_iou_equals_scalar_iou_elementwise(boxes_a, boxes_b):
    matrix = pairwise_iou(boxes_a, boxes_b)
    assert matrix.shape == (len(boxes_a), len(boxes_b))
    expected = [[iou(a, b) for b in boxes_b] for a in boxes_a]
    np.testing.assert_array_equal(matrix, expected)


def test_box_area_vectorises():
    areas = box_area([(0, 0, 2, 3), (1, 1, 1, 5), (-1, -1, 1, 1)])
    assert areas.tolist() == [6.0, 0.0, 4.0]


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ((1, 0, 0, 1), (0, 0, 1, 1), "x0 <= x1"),
        ((0, 1, 1, 0), (0, 0, 1, 1), "x0 <= x1 and y0 <= y1"),
        ((0, 0, 1), (0, 0, 1, 1), "length 4"),
        ((0, 0, np.nan, 1), (0, 0, 1, 1), "non-finite"),
        ([(0, 0, 1, 1)], (0, 0, 1, 1), "two single boxes"),
    ],
)
def test_malformed_boxes_are_rejected(a, b, message):
    with pytest.raises(ValueError, match=message):
        iou(a, b)


def test_pairwise_iou_needs_2d_inputs():
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        pairwise_iou((0, 0, 1, 1), [(0, 0, 1, 1)])


@pytest.mark.parametrize(("side", "offset"), [(32, 10), (256, 10), (100, 0), (50, 25), (8, 8)])
def test_shifted_square_iou_matches_the_overlap_worked_by_hand(side, offset):
    overlap = (side - offset) ** 2  # both axes lose `offset` pixels of shared extent
    expected = overlap / (2 * side**2 - overlap)
    assert shifted_square_iou(side, offset, offset) == pytest.approx(expected, abs=1e-12)


def test_the_same_pixel_slip_costs_a_small_box_far_more_iou():
    small, large = SHIFT_EXAMPLE_SIDES
    d = SHIFT_EXAMPLE_OFFSET
    assert shifted_square_iou(small, d, d) == pytest.approx(484 / 1564)  # 22² / (2·32² − 22²)
    assert shifted_square_iou(large, d, d) == pytest.approx(60516 / 70556)  # 246² / (…)
    assert shifted_square_iou(small, d, d) < 0.5 < shifted_square_iou(large, d, d)
    sides = [16, 32, 64, 128, 256, 512]
    values = [shifted_square_iou(s, d, d) for s in sides]
    assert values == sorted(values)  # a larger box forgives the same slip more


def test_shifted_square_iou_rejects_an_empty_box():
    with pytest.raises(ValueError, match="side must be positive"):
        shifted_square_iou(0, 1, 1)
