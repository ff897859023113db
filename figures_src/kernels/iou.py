"""Intersection over Union for axis-aligned boxes (EQ MM1.3).

Boxes are in corner format ``(x0, y0, x1, y1)`` with ``x0 <= x1`` and ``y0 <= y1``.
Zero-width or zero-height boxes are allowed (area 0).  When the union of two boxes has zero
area (both boxes degenerate) the IoU is defined as 0.0: there is no overlap to reward, and
this keeps the value a finite number in [0, 1].
"""

import numpy as np

# Two unit squares shifted by half a side: overlap 0.5, union 1 + 1 - 0.5 = 1.5, IoU 1/3.
IOU_EXAMPLE_BOXES = (
    (0.0, 0.0, 1.0, 1.0),
    (0.5, 0.0, 1.5, 1.0),
)

# The same slip of a few pixels costs a small box far more IoU than a large one: a 32x32 box
# (the upper limit of COCO's "small" objects) against a 256x256 box, each moved 10 px right
# and 10 px down.
SHIFT_EXAMPLE_SIDES = (32, 256)
SHIFT_EXAMPLE_OFFSET = 10


def _as_boxes(boxes: object, name: str) -> np.ndarray:
    """Validate and return boxes as a float array of shape (..., 4)."""
    array = np.asarray(boxes, dtype=float)
    if array.ndim == 0 or array.shape[-1] != 4:
        raise ValueError(
            f"{name} must have a last axis of length 4 (x0, y0, x1, y1), got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains non-finite coordinates")
    x0, y0, x1, y1 = np.moveaxis(array, -1, 0)
    if np.any(x1 < x0) or np.any(y1 < y0):
        raise ValueError(f"{name} is malformed: corner format needs x0 <= x1 and y0 <= y1")
    return array


def _area(boxes: np.ndarray) -> np.ndarray:
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Broadcasts over leading axes; a negative extent means no overlap on that axis.
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return np.clip(width, 0.0, None) * np.clip(height, 0.0, None)


def _iou_from_areas(inter: np.ndarray, area_a: np.ndarray, area_b: np.ndarray) -> np.ndarray:
    union = area_a + area_b - inter  # EQ MM1.3: do not double-count the shared area
    safe_union = np.where(union > 0, union, 1.0)
    # Clip guards against rounding pushing the ratio a hair outside [0, 1].
    return np.where(union > 0, np.clip(inter / safe_union, 0.0, 1.0), 0.0)


def box_area(boxes: object) -> np.ndarray | float:
    """Area of one box (returns float) or of a stack of boxes (returns an array)."""
    array = _as_boxes(boxes, "boxes")
    area = _area(array)
    return float(area) if array.ndim == 1 else area


def intersection_area(a: object, b: object) -> float:
    """Area of the overlap of two boxes, 0.0 if they are disjoint or only touch."""
    return float(_overlap(_as_boxes(a, "a"), _as_boxes(b, "b")))


def iou(a: object, b: object) -> float:
    """IoU of two boxes: |A n B| / (|A| + |B| - |A n B|); 0.0 if the union is empty."""
    box_a, box_b = _as_boxes(a, "a"), _as_boxes(b, "b")
    if box_a.shape != (4,) or box_b.shape != (4,):
        raise ValueError("iou takes two single boxes; use pairwise_iou for arrays of boxes")
    return float(_iou_from_areas(_overlap(box_a, box_b), _area(box_a), _area(box_b)))


def pairwise_iou(boxes_a: object, boxes_b: object) -> np.ndarray:
    """IoU of every box in ``boxes_a`` (n, 4) against every box in ``boxes_b`` (m, 4): (n, m)."""
    a = _as_boxes(boxes_a, "boxes_a")
    b = _as_boxes(boxes_b, "boxes_b")
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"pairwise_iou needs (n, 4) and (m, 4) arrays, got {a.shape}, {b.shape}")
    inter = _overlap(a[:, np.newaxis, :], b[np.newaxis, :, :])
    return _iou_from_areas(inter, _area(a)[:, np.newaxis], _area(b)[np.newaxis, :])


def shifted_square_iou(side: float, offset_x: float, offset_y: float) -> float:
    """IoU of a ``side`` x ``side`` box with the same box moved by (offset_x, offset_y)."""
    if not side > 0:
        raise ValueError(f"side must be positive, got {side!r}")
    box = (0.0, 0.0, float(side), float(side))
    moved = (offset_x, offset_y, side + offset_x, side + offset_y)
    return iou(box, moved)
