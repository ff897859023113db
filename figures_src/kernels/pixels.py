"""Why raw pixels are a poor space to compare images in (section 1.1).

A brightness change is semantically a no-op yet moves every pixel value; the demo scenes
show it can put an image as far away, in pixel L2 distance, as a different object.
"""

from typing import NamedTuple

import numpy as np


class PixelDemoScenes(NamedTuple):
    """The three 2-D grayscale scenes of the section 1.1 listing."""

    original: np.ndarray  # a bright square near the top-left corner
    brighter: np.ndarray  # the same scene under brighter lighting
    different: np.ndarray  # a different object: the square moved to the other corner


def pixel_distance(a: object, b: object) -> float:
    """Euclidean (L2) distance over every value of two same-shaped images."""
    first = np.asarray(a, dtype=float)
    second = np.asarray(b, dtype=float)
    if first.shape != second.shape:
        raise ValueError(f"images must have the same shape, got {first.shape} and {second.shape}")
    return float(np.sqrt(np.sum((first - second) ** 2)))


def brighten(image: object, amount: float) -> np.ndarray:
    """Add ``amount`` to every value and clip to the displayable range [0, 1]."""
    return np.clip(np.asarray(image, dtype=float) + amount, 0.0, 1.0)


def pixel_demo_scenes(
    side: int = 8,
    square: int = 3,
    intensity: float = 0.8,
    brightness: float = 0.15,
) -> PixelDemoScenes:
    """Build the section 1.1 scenes; the defaults reproduce the chapter's 8x8 listing."""
    if square < 1 or 2 * (square + 1) > side:
        raise ValueError(
            f"a {square}x{square} square needs two non-overlapping placements "
            f"with a one-pixel margin; side {side} is too small"
        )
    original = np.zeros((side, side))
    original[1 : 1 + square, 1 : 1 + square] = intensity
    different = np.zeros((side, side))
    start = side - 1 - square  # mirror corner, keeping the one-pixel margin
    different[start : start + square, start : start + square] = intensity
    return PixelDemoScenes(original, brighten(original, brightness), different)


def brightness_shift_for_distance(image: object, distance: float, tolerance: float = 1e-9) -> float:
    """Smallest brightness shift whose pixel distance from ``image`` reaches ``distance``.

    ``pixel_distance(image, brighten(image, a))`` never decreases as ``a`` grows (each value
    moves by ``min(a, 1 - value)``), so bisection finds the threshold.  Raises ValueError if
    even a shift to all-white stays closer than ``distance``.
    """
    array = np.asarray(image, dtype=float)
    if np.any(array < 0) or np.any(array > 1):
        raise ValueError("image values must lie in [0, 1]")
    if distance <= 0:
        return 0.0
    if pixel_distance(array, brighten(array, 1.0)) < distance:
        raise ValueError(f"no brightness shift moves this image {distance} away in pixel space")
    low, high = 0.0, 1.0
    while high - low > tolerance:
        middle = 0.5 * (low + high)
        if pixel_distance(array, brighten(array, middle)) >= distance:
            high = middle
        else:
            low = middle
    return high
