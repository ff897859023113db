"""Cosine similarity, temperature softmax and CLIP's symmetric InfoNCE loss (EQ MM1.4).

Temperature convention: logits are divided by ``temperature``, so a *lower* temperature
sharpens the softmax towards one-hot and a *higher* one flattens it towards uniform.
"""

import numpy as np


def _require_positive_temperature(temperature: float) -> float:
    temperature = float(temperature)
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    return temperature


def l2_normalize(x: object, axis: int = -1) -> np.ndarray:
    """Scale ``x`` to unit L2 norm along ``axis``.

    A zero vector has no direction, so it raises ValueError instead of silently becoming NaN.
    """
    array = np.asarray(x, dtype=float)
    norms = np.linalg.norm(array, axis=axis, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("cannot L2-normalise a zero vector")
    return array / norms


def cosine_similarity_matrix(u: object, v: object) -> np.ndarray:
    """Cosine similarity of every row of ``u`` (n, d) with every row of ``v`` (m, d): (n, m)."""
    u_array = np.atleast_2d(np.asarray(u, dtype=float))
    v_array = np.atleast_2d(np.asarray(v, dtype=float))
    if u_array.shape[-1] != v_array.shape[-1]:
        raise ValueError(
            f"embeddings must share a dimension, got {u_array.shape} and {v_array.shape}"
        )
    return l2_normalize(u_array) @ l2_normalize(v_array).T


def log_softmax(logits: object, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """log(softmax(logits / temperature)) computed without overflow."""
    scaled = np.asarray(logits, dtype=float) / _require_positive_temperature(temperature)
    # Subtracting the max leaves the result unchanged but keeps exp() <= 1.
    shifted = scaled - np.max(scaled, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(logits: object, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax of ``logits / temperature`` along ``axis``."""
    return np.exp(log_softmax(logits, temperature, axis))


def _check_pair_batch(image_emb: object, text_emb: object) -> tuple[np.ndarray, np.ndarray]:
    images = np.asarray(image_emb, dtype=float)
    texts = np.asarray(text_emb, dtype=float)
    if images.ndim != 2 or images.shape != texts.shape or images.shape[0] == 0:
        raise ValueError(
            "image and text embeddings must be matching non-empty (n, d) batches, "
            f"got {images.shape} and {texts.shape}"
        )
    return images, texts


def info_nce_from_similarity(
    similarity: np.ndarray, temperature: float
) -> tuple[float, np.ndarray]:
    """Symmetric InfoNCE loss and its gradient w.r.t. an (n, n) cosine-similarity matrix.

    Row ``i`` of ``similarity`` is image ``i`` against every caption; the true pairs sit on
    the diagonal.  Exposed separately so a trainer can also differentiate w.r.t. temperature.
    """
    temperature = _require_positive_temperature(temperature)
    n = similarity.shape[0]
    image_to_text = log_softmax(similarity, temperature, axis=1)
    text_to_image = log_softmax(similarity, temperature, axis=0)
    diagonal = np.arange(n)
    loss = -0.5 * (image_to_text[diagonal, diagonal] + text_to_image[diagonal, diagonal]).mean()
    # d CE / d logits = softmax - one_hot, for each direction; logits = similarity / tau.
    eye = np.eye(n)
    grad_logits = (np.exp(image_to_text) - eye + np.exp(text_to_image) - eye) / (2 * n)
    return float(loss), grad_logits / temperature


def info_nce_loss(image_emb: object, text_emb: object, temperature: float) -> float:
    """Symmetric InfoNCE of EQ MM1.4 for a batch of n matching (image, text) pairs.

    Mean over the batch of 1/2 [CE(image -> its caption) + CE(caption -> its image)] where the
    logits are cosine similarities divided by ``temperature``.  Embeddings may be unnormalised.
    """
    images, texts = _check_pair_batch(image_emb, text_emb)
    loss, _ = info_nce_from_similarity(cosine_similarity_matrix(images, texts), temperature)
    return loss


def _normalisation_backward(raw: np.ndarray, grad_unit: np.ndarray) -> np.ndarray:
    """Pull a gradient w.r.t. unit vectors u = x/|x| back to the raw vectors x."""
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    unit = raw / norms
    # Jacobian of x/|x| is (I - u u^T)/|x|: drop the radial component, rescale by 1/|x|.
    return (grad_unit - unit * np.sum(unit * grad_unit, axis=1, keepdims=True)) / norms


def info_nce_loss_and_grad(
    image_emb: object, text_emb: object, temperature: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """:func:`info_nce_loss` and :func:`info_nce_grad` from one forward pass (for training)."""
    images, texts = _check_pair_batch(image_emb, text_emb)
    image_unit, text_unit = l2_normalize(images), l2_normalize(texts)
    loss, grad_similarity = info_nce_from_similarity(image_unit @ text_unit.T, temperature)
    grad_image_unit = grad_similarity @ text_unit
    grad_text_unit = grad_similarity.T @ image_unit
    return (
        loss,
        _normalisation_backward(images, grad_image_unit),
        _normalisation_backward(texts, grad_text_unit),
    )


def info_nce_grad(
    image_emb: object, text_emb: object, temperature: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of :func:`info_nce_loss` w.r.t. the raw (unnormalised) embeddings.

    Returns ``(d_image, d_text)``, each shaped like its input; the chain rule runs through
    the L2 normalisation, so the gradient has no component along each raw vector.
    """
    _, grad_image, grad_text = info_nce_loss_and_grad(image_emb, text_emb, temperature)
    return grad_image, grad_text
