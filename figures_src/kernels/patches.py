"""Patch arithmetic of a Vision Transformer (EQ MM1.2, INSTRUMENT MM1.2).

An ``H x W`` image cut into non-overlapping ``P x P`` patches gives ``N = (H/P)(W/P)``
tokens; the encoder sees ``N + 1`` with the [CLS] token, and self-attention costs ``N^2``.
"""

import numpy as np


def _require_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def patch_grid(height: int, width: int, patch: int) -> tuple[int, int]:
    """(rows, cols) of the patch grid; the patch must tile the image exactly."""
    height = _require_positive_int(height, "height")
    width = _require_positive_int(width, "width")
    patch = _require_positive_int(patch, "patch")
    # ViT drops no pixels and pads none, so a non-dividing patch is a configuration error.
    if height % patch or width % patch:
        raise ValueError(
            f"patch size {patch} does not divide the image size {height}x{width} "
            f"(height % patch = {height % patch}, width % patch = {width % patch})"
        )
    return height // patch, width // patch


def num_patches(height: int, width: int, patch: int) -> int:
    """N = (H/P) * (W/P): the number of patch tokens."""
    rows, cols = patch_grid(height, width, patch)
    return rows * cols


def sequence_length(height: int, width: int, patch: int, cls_token: bool = True) -> int:
    """Tokens the encoder sees: the patches, plus one if a [CLS] token is prepended."""
    return num_patches(height, width, patch) + (1 if cls_token else 0)


def attention_cost(n_tokens: int) -> int:
    """Entries of the attention matrix, n^2: the quantity self-attention scales with."""
    n_tokens = _require_positive_int(n_tokens, "n_tokens")
    return n_tokens * n_tokens


def patch_dim(patch: int, channels: int = 3) -> int:
    """Raw values in one flattened patch, P^2 * C (768 for P=16 RGB)."""
    patch = _require_positive_int(patch, "patch")
    channels = _require_positive_int(channels, "channels")
    return patch * patch * channels


def patchify(image: np.ndarray, patch: int) -> np.ndarray:
    """Cut an ``(H, W, C)`` or ``(H, W)`` image into a ``(N, P*P*C)`` patch sequence.

    Patches are ordered row-major over the grid (left to right, then top to bottom) and each
    patch is flattened in (row, col, channel) order, matching the chapter's listing.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    if image.ndim != 3:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {image.shape}")
    height, width, channels = image.shape
    rows, cols = patch_grid(height, width, patch)
    blocks = image.reshape(rows, patch, cols, patch, channels).transpose(0, 2, 1, 3, 4)
    return blocks.reshape(rows * cols, patch * patch * channels)
