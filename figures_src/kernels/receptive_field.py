"""Receptive field of a convolution stack versus a Vision Transformer (INSTRUMENT MM1.1).

The closed form tracks two numbers per layer: the receptive field ``r`` (how many input
pixels along one axis can influence a unit) and the jump ``j`` (the input-pixel distance
between neighbouring units, i.e. the cumulative stride)::

    r_l = r_{l-1} + (k_l - 1) * j_{l-1}
    j_l = j_{l-1} * s_l

with ``r_0 = j_0 = 1`` for the input itself.  Padding and dilation are not modelled: the
instrument only varies kernel size, depth and where the stride-2 downsamples sit.
"""

from collections.abc import Iterable, Sequence

import numpy as np

# The instrument's initial state: four 3x3 convs with one stride-2 downsample at layer 3.
# Reads r = 1, 3, 5, 7, 11 and a final feature stride of 2.
DEFAULT_STACK = dict(depth=4, kernel_size=3, downsample_layers=(3,))


def _require_positive_int(value: object, name: str) -> int:
    # bool is an int subclass; True as a kernel size is almost certainly a bug.
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def conv_receptive_fields(
    kernel_sizes: Sequence[int], strides: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Receptive field and jump for every layer of a conv stack, input included.

    Returns two int64 arrays of length ``L + 1``: ``fields[0] == jumps[0] == 1`` describe the
    input pixel, ``fields[l]`` and ``jumps[l]`` describe a unit after layer ``l``.
    """
    kernel_sizes = list(kernel_sizes)
    strides = list(strides)
    if len(kernel_sizes) != len(strides):
        raise ValueError(
            f"need one stride per kernel: got {len(kernel_sizes)} kernel sizes "
            f"and {len(strides)} strides"
        )
    fields = np.ones(len(kernel_sizes) + 1, dtype=np.int64)
    jumps = np.ones(len(kernel_sizes) + 1, dtype=np.int64)
    for layer, (kernel, stride) in enumerate(zip(kernel_sizes, strides, strict=True), start=1):
        kernel = _require_positive_int(kernel, f"kernel size of layer {layer}")
        stride = _require_positive_int(stride, f"stride of layer {layer}")
        fields[layer] = fields[layer - 1] + (kernel - 1) * jumps[layer - 1]
        jumps[layer] = jumps[layer - 1] * stride
    return fields, jumps


def conv_stack(
    depth: int, kernel_size: int, downsample_layers: Iterable[int] = ()
) -> tuple[list[int], list[int]]:
    """Kernel sizes and strides of a uniform stack.

    ``downsample_layers`` holds 1-based layer indices that use stride 2; every other layer
    uses stride 1.  All layers share ``kernel_size``.
    """
    depth = _require_positive_int(depth, "depth")
    kernel_size = _require_positive_int(kernel_size, "kernel_size")
    downsample = set()
    for layer in downsample_layers:
        layer = _require_positive_int(layer, "downsample layer")
        if layer > depth:
            raise ValueError(f"downsample layer {layer} is outside a stack of depth {depth}")
        downsample.add(layer)
    kernel_sizes = [kernel_size] * depth
    strides = [2 if layer in downsample else 1 for layer in range(1, depth + 1)]
    return kernel_sizes, strides


def vit_receptive_field(image_side: int) -> int:
    """A ViT's receptive field in pixels along one axis: the whole image, from layer 1.

    Self-attention lets every patch attend to every other patch, so no depth is needed.
    """
    return _require_positive_int(image_side, "image_side")
