"""Receptive-field closed form, checked against impulses pushed through real conv stacks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from figures_src.kernels.receptive_field import (
    DEFAULT_STACK,
    conv_receptive_fields,
    conv_stack,
    vit_receptive_field,
)


def _conv_stack_forward(batch: np.ndarray, kernels: list[np.ndarray], strides: list[int]):
    """Valid (unpadded) strided convolution over the trailing spatial axes, layer by layer."""
    out = batch
    spatial_axes = tuple(range(1, batch.ndim))
    for kernel, stride in zip(kernels, strides, strict=True):
        windows = sliding_window_view(out, kernel.shape, axis=spatial_axes)
        windows = windows[(slice(None),) + (slice(None, None, stride),) * len(spatial_axes)]
        subscripts = "nxk,k->nx" if kernel.ndim == 1 else "nxykl,kl->nxy"
        out = np.einsum(subscripts, windows, kernel)
    return out


def _measured_field_and_jump(kernel_sizes, strides, ndim: int) -> tuple[int, int]:
    """Measure the receptive field of output unit 1 by feeding one impulse per input pixel.

    The stack is linear with strictly positive weights, so an input pixel influences the
    unit exactly when its impulse produces a non-zero response (no cancellation possible).
    The jump is the shift between the fields of output units 1 and 2.  The field is the
    span from the first to the last influencing pixel: when a kernel is smaller than the
    stride before it, pixels in between are skipped, which the closed form also ignores.
    """
    fields, jumps = conv_receptive_fields(kernel_sizes, strides)  # only to size the input
    side = int(fields[-1] + 3 * jumps[-1])
    rng = np.random.default_rng(len(kernel_sizes) * 100 + sum(kernel_sizes))
    kernels = [rng.uniform(0.5, 1.5, size=(k,) * ndim) for k in kernel_sizes]
    impulses = np.eye(side**ndim).reshape((side**ndim,) + (side,) * ndim)
    responses = _conv_stack_forward(impulses, kernels, list(strides))

    def support(unit_index: int) -> np.ndarray:
        unit = (slice(None),) + (unit_index,) * ndim
        influenced = (responses[unit] != 0).reshape((side,) * ndim)
        rows = np.flatnonzero(influenced.any(axis=tuple(range(1, ndim))))
        # A layer whose kernel is at least its stride leaves no pixel unseen (r_l >= j_l).
        if all(k >= s for k, s in zip(kernel_sizes, strides, strict=True)):
            assert np.array_equal(rows, np.arange(rows[0], rows[-1] + 1)), "field has gaps"
        if ndim == 2:  # a square kernel stack must give a square field
            cols = np.flatnonzero(influenced.any(axis=0))
            assert np.array_equal(cols - cols[0], rows - rows[0])
        return rows

    first, second = support(1), support(2)
    return int(first[-1] - first[0] + 1), int(second[0] - first[0])


STACKS = [
    pytest.param([3], [1], id="one 3x3"),
    pytest.param([3, 3], [1, 1], id="two 3x3 (VGG)"),
    pytest.param([5], [1], id="one 5x5"),
    pytest.param([3, 3, 3, 3], [1, 1, 2, 1], id="instrument default"),
    pytest.param([7, 3, 3], [2, 2, 1], id="ResNet-like stem"),
    pytest.param([2, 2, 2], [2, 2, 2], id="pooling pyramid"),
    pytest.param([1, 1], [1, 3], id="1x1 with stride 3"),
]


@pytest.mark.parametrize(("kernel_sizes", "strides"), STACKS)
def test_closed_form_matches_impulses_through_a_2d_conv_stack(kernel_sizes, strides):
    fields, jumps = conv_receptive_fields(kernel_sizes, strides)
    assert _measured_field_and_jump(kernel_sizes, strides, ndim=2) == (fields[-1], jumps[-1])


@settings(max_examples=60, deadline=None)
@given(
    layers=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3)), min_size=1, max_size=4).filter(
        lambda ls: np.prod([s for _, s in ls]) <= 16
    )
)
def test_closed_form_matches_impulses_through_random_1d_stacks(layers):
    kernel_sizes = [k for k, _ in layers]
    strides = [s for _, s in layers]
    fields, jumps = conv_receptive_fields(kernel_sizes, strides)
    measured = _measured_field_and_jump(kernel_sizes, strides, ndim=1)
    assert measured == (fields[-1], jumps[-1])


def test_instrument_default_reads_11_px_and_feature_stride_2():
    kernel_sizes, strides = conv_stack(**DEFAULT_STACK)
    fields, jumps = conv_receptive_fields(kernel_sizes, strides)
    assert fields.tolist() == [1, 3, 5, 7, 11]
    assert jumps.tolist() == [1, 1, 1, 2, 2]


def test_two_3x3_convs_see_a_5x5_window_with_fewer_weights():
    two_small, _ = conv_receptive_fields([3, 3], [1, 1])
    one_large, _ = conv_receptive_fields([5], [1])
    assert two_small[-1] == one_large[-1] == 5
    assert 2 * 3 * 3 < 5 * 5  # the VGG argument: 18 weights instead of 25 per channel pair


@pytest.mark.parametrize(
    ("depth", "kernel_size", "downsample", "expected_strides"),
    [
        (4, 3, (3,), [1, 1, 2, 1]),
        (3, 5, (), [1, 1, 1]),
        (5, 3, (1, 5), [2, 1, 1, 1, 2]),
        (2, 3, (2, 2), [1, 2]),  # repeating a layer does not downsample twice
    ],
)
def test_conv_stack_puts_stride_2_exactly_on_the_listed_layers(
    depth, kernel_size, downsample, expected_strides
):
    kernel_sizes, strides = conv_stack(depth, kernel_size, downsample)
    assert kernel_sizes == [kernel_size] * depth
    assert strides == expected_strides


@settings(max_examples=80, deadline=None)
@given(
    depth=st.integers(1, 8),
    kernel_size=st.integers(1, 7),
    data=st.data(),
)
def test_adding_a_downsample_never_shrinks_any_field(depth, kernel_size, data):
    downsample = data.draw(st.sets(st.integers(1, depth)))
    extra = data.draw(st.integers(1, depth))
    base_fields, base_jumps = conv_receptive_fields(*conv_stack(depth, kernel_size, downsample))
    more_fields, more_jumps = conv_receptive_fields(
        *conv_stack(depth, kernel_size, downsample | {extra})
    )
    assert np.all(more_fields >= base_fields)
    assert np.all(more_jumps >= base_jumps)
    # Without any downsample the field grows linearly: 1 + L (k - 1).
    plain, _ = conv_receptive_fields(*conv_stack(depth, kernel_size))
    assert plain[-1] == 1 + depth * (kernel_size - 1)


@pytest.mark.parametrize("side", [1, 32, 224])
def test_vit_sees_the_whole_image_from_layer_one(side):
    assert vit_receptive_field(side) == side


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv_stack(0, 3), "depth"),
        (lambda: conv_stack(4, 0), "kernel_size"),
        (lambda: conv_stack(4, 3, (5,)), "outside a stack of depth 4"),
        (lambda: conv_stack(4, 3, (0,)), "downsample layer"),
        (lambda: conv_stack(4, 3.0), "kernel_size"),
        (lambda: conv_receptive_fields([3, 3], [1]), "one stride per kernel"),
        (lambda: conv_receptive_fields([3, -1], [1, 1]), "kernel size of layer 2"),
        (lambda: conv_receptive_fields([3], [0]), "stride of layer 1"),
        (lambda: conv_receptive_fields([True], [1]), "kernel size of layer 1"),
        (lambda: vit_receptive_field(0), "image_side"),
    ],
)
def test_invalid_stacks_are_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_empty_stack_is_just_the_input_pixel():
    fields, jumps = conv_receptive_fields([], [])
    assert fields.tolist() == [1] and jumps.tolist() == [1]
