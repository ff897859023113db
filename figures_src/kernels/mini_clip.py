"""A miniature CLIP trained from scratch in NumPy (section 1.5, EQ MM1.4).

Data: 16x16 RGB images of one coloured shape on a noisy grey background, paired with a
caption such as "a photo of a red circle".  Every (colour, shape) combination is a class.

Image encoder (a tiny CNN): a stride-2 6x6 convolution (overlapping patches, cf. ViT's
non-overlapping ones) -> ReLU -> global mean and max pooling -> ReLU MLP -> embedding.
Text encoder: bag-of-words counts over a closed vocabulary -> one linear map -> embedding.

Both towers are trained only with the symmetric InfoNCE kernel of ``similarity.py`` at a
fixed temperature, using Adam written out below.  Nothing in training sees class labels:
the images and captions of a batch are matched only by position.  Several caption
templates are used so that "a photo of a {}" at zero-shot time is not a memorised string.

Everything is seeded through one ``np.random.SeedSequence``, so a seed fixes the data,
the initial weights, the mini-batches and hence every byte of the result.
"""

import contextlib
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple, Protocol

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from figures_src.kernels.similarity import (
    info_nce_loss_and_grad,
    l2_normalize,
    softmax,
)

IMAGE_SIDE = 16
# Display colours (RGB in [0, 1]); chosen far apart so colour is learnable from a mean.
COLOURS: MappingProxyType[str, tuple[float, float, float]] = MappingProxyType(
    {
        "red": (0.90, 0.15, 0.15),
        "green": (0.15, 0.80, 0.20),
        "blue": (0.15, 0.30, 0.95),
        "yellow": (0.95, 0.90, 0.15),
        "purple": (0.60, 0.20, 0.80),
    }
)
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "cross")
# Class k is colour k // len(SHAPES) and shape k % len(SHAPES).
CLASS_NAMES: tuple[str, ...] = tuple(f"{colour} {shape}" for colour in COLOURS for shape in SHAPES)
CAPTION_TEMPLATES: tuple[str, ...] = (
    "a photo of a {}",
    "a picture of a {}",
    "an image of the {}",
    "a small {}",
)
DEFAULT_TEMPLATE = "a photo of a {}"
VOCABULARY: tuple[str, ...] = tuple(
    sorted(
        {word for template in CAPTION_TEMPLATES for word in template.format("").split()}
        | set(COLOURS)
        | set(SHAPES)
    )
)
_WORD_INDEX = MappingProxyType({word: index for index, word in enumerate(VOCABULARY)})

# Architecture and optimisation defaults: ~96 % held-out zero-shot, ~2 s on 2 idle cores.
CONV_KERNEL = 6
CONV_STRIDE = 2
CONV_FILTERS = 32
HIDDEN_UNITS = 64
EMBED_DIM = 32
TEMPERATURE = 0.1


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Dataset:
    """Paired images and captions; ``labels[i]`` indexes ``CLASS_NAMES`` (for evaluation)."""

    images: np.ndarray  # (n, 16, 16, 3) float64 in [0, 1]
    captions: tuple[str, ...]
    labels: np.ndarray  # (n,) int64
    label_names: tuple[str, ...] = CLASS_NAMES

    def __len__(self) -> int:
        return len(self.captions)


def _shape_masks(shapes: np.ndarray, cx: np.ndarray, cy: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Boolean (n, side, side) masks; shapes are sized so their areas are comparable."""
    ys, xs = np.mgrid[0:IMAGE_SIDE, 0:IMAGE_SIDE] + 0.5  # pixel centres
    dx = xs[np.newaxis] - cx[:, np.newaxis, np.newaxis]
    dy = ys[np.newaxis] - cy[:, np.newaxis, np.newaxis]
    radius = r[:, np.newaxis, np.newaxis]
    circle = dx**2 + dy**2 <= radius**2
    half_side = 0.85 * radius
    square = (np.abs(dx) <= half_side) & (np.abs(dy) <= half_side)
    depth = (dy + radius) / (2 * radius)  # 0 at the apex, 1 at the base
    triangle = (depth >= 0) & (depth <= 1) & (np.abs(dx) <= depth * radius)
    arm = 0.35 * radius
    cross = ((np.abs(dx) <= arm) & (np.abs(dy) <= radius)) | (
        (np.abs(dy) <= arm) & (np.abs(dx) <= radius)
    )
    by_shape = {"circle": circle, "square": square, "triangle": triangle, "cross": cross}
    stacked = np.stack([by_shape[name] for name in SHAPES])
    return stacked[shapes, np.arange(len(shapes))]


def make_dataset(n: int, seed: int | np.random.SeedSequence) -> Dataset:
    """Draw ``n`` random (image, caption) pairs: uniform class, position, size, noise, template."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASS_NAMES), size=n)
    colour_index, shape_index = np.divmod(labels, len(SHAPES))
    radius = rng.uniform(3.5, 6.0, size=n)
    # Keep the whole shape inside the frame.
    cx = rng.uniform(radius, IMAGE_SIDE - radius)
    cy = rng.uniform(radius, IMAGE_SIDE - radius)
    background = rng.uniform(0.2, 0.5, size=(n, 1, 1, 1))
    images = background + rng.normal(0.0, 0.08, size=(n, IMAGE_SIDE, IMAGE_SIDE, 3))
    palette = np.array(list(COLOURS.values()))
    shape_colour = palette[colour_index] + rng.normal(0.0, 0.05, size=(n, 3))
    shape_pixels = shape_colour[:, np.newaxis, np.newaxis, :] + rng.normal(
        0.0, 0.05, size=images.shape
    )
    mask = _shape_masks(shape_index, cx, cy, radius)[..., np.newaxis]
    images = np.clip(np.where(mask, shape_pixels, images), 0.0, 1.0)
    templates = rng.integers(0, len(CAPTION_TEMPLATES), size=n)
    captions = tuple(
        CAPTION_TEMPLATES[t].format(CLASS_NAMES[k]) for t, k in zip(templates, labels, strict=True)
    )
    return Dataset(_read_only(images), captions, _read_only(labels.astype(np.int64)))


def encode_captions(captions: Sequence[str]) -> np.ndarray:
    """Bag-of-words counts, shape (n, len(VOCABULARY)).

    The vocabulary is closed: an unknown word raises ValueError rather than being silently
    dropped, because a dropped word would make e.g. "a photo of a dog" look valid.
    """
    if isinstance(captions, str):
        raise ValueError("encode_captions takes a sequence of captions, not a single string")
    counts = np.zeros((len(captions), len(VOCABULARY)))
    for row, caption in enumerate(captions):
        words = re.findall(r"[a-z]+", caption.lower())
        unknown = sorted({word for word in words if word not in _WORD_INDEX})
        if unknown:
            raise ValueError(f"words outside the mini-CLIP vocabulary: {unknown}")
        if not words:
            raise ValueError(f"caption {caption!r} contains no words")
        for word in words:
            counts[row, _WORD_INDEX[word]] += 1
    return counts


def _image_windows(images: np.ndarray) -> np.ndarray:
    """(n, windows, kernel*kernel*3) overlapping patches, centred around zero."""
    images = np.asarray(images, dtype=float)
    if images.ndim != 4 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE, 3):
        raise ValueError(f"images must have shape (n, {IMAGE_SIDE}, {IMAGE_SIDE}, 3)")
    windows = sliding_window_view(images - 0.5, (CONV_KERNEL, CONV_KERNEL), axis=(1, 2))
    windows = windows[:, ::CONV_STRIDE, ::CONV_STRIDE]  # (n, rows, cols, 3, k, k)
    n, rows, cols = windows.shape[:3]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n, rows * cols, -1)


PARAMETER_NAMES = ("conv_w", "conv_b", "hidden_w", "hidden_b", "out_w", "text_w")


def _initial_parameters(rng: np.random.Generator) -> dict[str, np.ndarray]:
    window_dim = CONV_KERNEL * CONV_KERNEL * 3

    def he(fan_in: int, fan_out: int) -> np.ndarray:
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))

    return {
        "conv_w": he(window_dim, CONV_FILTERS),
        "conv_b": np.zeros(CONV_FILTERS),
        # Mean- and max-pooled features are concatenated, hence 2 * filters inputs.
        "hidden_w": he(2 * CONV_FILTERS, HIDDEN_UNITS),
        "hidden_b": np.zeros(HIDDEN_UNITS),
        "out_w": rng.normal(0.0, np.sqrt(1.0 / HIDDEN_UNITS), size=(HIDDEN_UNITS, EMBED_DIM)),
        "text_w": rng.normal(0.0, 1.0, size=(len(VOCABULARY), EMBED_DIM)),
    }


class _ImageCache(NamedTuple):
    windows: np.ndarray
    conv_pre: np.ndarray
    max_index: np.ndarray
    pooled: np.ndarray
    hidden_pre: np.ndarray
    hidden: np.ndarray


def _image_forward(
    params: Mapping[str, np.ndarray], windows: np.ndarray
) -> tuple[np.ndarray, _ImageCache]:
    conv_pre = windows @ params["conv_w"] + params["conv_b"]
    conv = np.maximum(conv_pre, 0.0)
    # Mean pooling measures how much of a feature there is; max pooling whether it is there
    # at all, which is what tells a corner-bearing square from a circle of any size.
    max_index = np.argmax(conv, axis=1)
    max_pooled = np.take_along_axis(conv, max_index[:, np.newaxis, :], axis=1)[:, 0]
    pooled = np.concatenate([conv.mean(axis=1), max_pooled], axis=1)
    hidden_pre = pooled @ params["hidden_w"] + params["hidden_b"]
    hidden = np.maximum(hidden_pre, 0.0)
    cache = _ImageCache(windows, conv_pre, max_index, pooled, hidden_pre, hidden)
    return hidden @ params["out_w"], cache


def _image_backward(
    params: Mapping[str, np.ndarray], cache: _ImageCache, grad_embedding: np.ndarray
) -> dict[str, np.ndarray]:
    grads = {"out_w": cache.hidden.T @ grad_embedding}
    grad_hidden_pre = (grad_embedding @ params["out_w"].T) * (cache.hidden_pre > 0)
    grads["hidden_w"] = cache.pooled.T @ grad_hidden_pre
    grads["hidden_b"] = grad_hidden_pre.sum(axis=0)
    grad_pooled = grad_hidden_pre @ params["hidden_w"].T
    n, n_windows, _ = cache.windows.shape
    grad_mean, grad_max = np.split(grad_pooled, 2, axis=1)
    grad_conv = np.repeat(grad_mean[:, np.newaxis, :] / n_windows, n_windows, axis=1)
    # The max-pooled gradient flows only to the window that won the max; each (image,
    # filter) pair has exactly one winner, so plain fancy-index += cannot collide.
    grad_conv[np.arange(n)[:, np.newaxis], cache.max_index, np.arange(CONV_FILTERS)] += grad_max
    grad_conv_pre = grad_conv * (cache.conv_pre > 0)
    flat_windows = cache.windows.reshape(n * n_windows, -1)
    grads["conv_w"] = flat_windows.T @ grad_conv_pre.reshape(n * n_windows, -1)
    grads["conv_b"] = grad_conv_pre.sum(axis=(0, 1))
    return grads


def _loss_and_grads(
    params: Mapping[str, np.ndarray],
    images: np.ndarray,
    bags: np.ndarray,
    temperature: float,
) -> tuple[float, dict[str, np.ndarray]]:
    """Symmetric InfoNCE of one batch and its gradient for every parameter."""
    # Patches are cut per batch: holding them for the whole training set would take ~120 MB.
    image_emb, cache = _image_forward(params, _image_windows(images))
    text_emb = bags @ params["text_w"]
    loss, grad_image, grad_text = info_nce_loss_and_grad(image_emb, text_emb, temperature)
    grads = _image_backward(params, cache, grad_image)
    grads["text_w"] = bags.T @ grad_text
    return loss, grads


@dataclass(frozen=True, eq=False)
class ClipEncoders:
    """A pair of image/text encoders with fixed weights (trained or at initialisation)."""

    parameters: MappingProxyType  # name -> read-only array, see PARAMETER_NAMES
    temperature: float = TEMPERATURE

    def embed_images(self, images: np.ndarray) -> np.ndarray:
        """Unit-norm image embeddings, shape (n, EMBED_DIM)."""
        embedding, _ = _image_forward(self.parameters, _image_windows(images))
        return l2_normalize(embedding)

    def embed_texts(self, captions: Sequence[str]) -> np.ndarray:
        """Unit-norm caption embeddings, shape (n, EMBED_DIM)."""
        return l2_normalize(encode_captions(captions) @ self.parameters["text_w"])

    def similarity(self, images: np.ndarray, captions: Sequence[str]) -> np.ndarray:
        """Cosine similarity of every image (rows) with every caption (columns)."""
        return self.embed_images(images) @ self.embed_texts(captions).T


def _freeze(params: dict[str, np.ndarray]) -> MappingProxyType:
    return MappingProxyType({name: _read_only(params[name].copy()) for name in PARAMETER_NAMES})


@dataclass(frozen=True, eq=False)
class TrainedClip:
    """Result of :func:`train_mini_clip`: final and initial encoders, loss curve, data."""

    model: ClipEncoders
    initial_model: ClipEncoders  # the same network before the first update
    loss_curve: np.ndarray  # InfoNCE of each training mini-batch, before its update
    train: Dataset
    held_out: Dataset
    seed: int
    settings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def temperature(self) -> float:
        return self.model.temperature

    def embed_images(self, images: np.ndarray) -> np.ndarray:
        return self.model.embed_images(images)

    def embed_texts(self, captions: Sequence[str]) -> np.ndarray:
        return self.model.embed_texts(captions)

    def similarity(self, images: np.ndarray, captions: Sequence[str]) -> np.ndarray:
        return self.model.similarity(images, captions)


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Run the small matrix products of training on one BLAS thread.

    The figures render in parallel processes on a 2-core machine; multi-threaded OpenBLAS
    then spins idle workers against the other processes and made training ~5x slower.
    threadpoolctl is optional: without it this is a no-op and training is only slower.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _adam_step(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    moments: dict[str, list[np.ndarray]],
    step: int,
    learning_rate: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    """One in-place Adam update (``step`` counts from 1 for the bias correction)."""
    for name, grad in grads.items():
        first, second = moments[name]
        first *= beta1
        first += (1 - beta1) * grad
        second *= beta2
        second += (1 - beta2) * grad**2
        first_hat = first / (1 - beta1**step)
        second_hat = second / (1 - beta2**step)
        params[name] -= learning_rate * first_hat / (np.sqrt(second_hat) + eps)


def train_mini_clip(
    seed: int = 0,
    n_train: int = 4000,
    n_held_out: int = 1000,
    steps: int = 400,
    batch_size: int = 128,
    learning_rate: float = 3e-3,
    temperature: float = TEMPERATURE,
) -> TrainedClip:
    """Generate data and train both encoders with symmetric InfoNCE; fully deterministic.

    The loss cannot reach 0: a batch of 128 drawn from 20 classes holds several images of
    the same class, and their captions are equally good matches (CLIP's false negatives).
    """
    for name, value in {"n_train": n_train, "steps": steps, "batch_size": batch_size}.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if batch_size > n_train:
        raise ValueError(f"batch_size {batch_size} exceeds n_train {n_train}")
    train_seed, held_out_seed, model_seed = np.random.SeedSequence(seed).spawn(3)
    train = make_dataset(n_train, train_seed)
    held_out = make_dataset(n_held_out, held_out_seed)
    rng = np.random.default_rng(model_seed)

    params = _initial_parameters(rng)
    initial = ClipEncoders(_freeze(params), temperature)
    moments = {name: [np.zeros_like(p), np.zeros_like(p)] for name, p in params.items()}
    bags = encode_captions(train.captions)
    losses = np.empty(steps)
    with _single_threaded_blas():
        for step in range(1, steps + 1):
            batch = rng.choice(n_train, size=batch_size, replace=False)
            loss, grads = _loss_and_grads(params, train.images[batch], bags[batch], temperature)
            losses[step - 1] = loss
            _adam_step(params, grads, moments, step, learning_rate)

    settings = dict(
        n_train=n_train,
        n_held_out=n_held_out,
        steps=steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        temperature=temperature,
    )
    return TrainedClip(
        model=ClipEncoders(_freeze(params), temperature),
        initial_model=initial,
        loss_curve=_read_only(losses),
        train=train,
        held_out=held_out,
        seed=seed,
        settings=MappingProxyType(settings),
    )


@functools.cache
def default_trained_clip() -> TrainedClip:
    """``train_mini_clip(seed=0)``, trained once per process and shared by all figures."""
    return train_mini_clip(seed=0)


class _Embedder(Protocol):
    temperature: float

    def embed_images(self, images: np.ndarray) -> np.ndarray: ...
    def embed_texts(self, captions: Sequence[str]) -> np.ndarray: ...


class ZeroShotResult(NamedTuple):
    predictions: np.ndarray  # (n,) index into label_names
    probabilities: np.ndarray  # (n, len(label_names)), softmax(cosine / temperature)
    label_names: tuple[str, ...]
    prompts: tuple[str, ...]


def zero_shot(
    trained: _Embedder,
    images: np.ndarray,
    label_names: Sequence[str],
    template: str = DEFAULT_TEMPLATE,
) -> ZeroShotResult:
    """Classify images by the most similar prompt ``template.format(label)`` (CLIP zero-shot).

    Works with a :class:`TrainedClip` or a bare :class:`ClipEncoders` (e.g. the untrained one).
    """
    label_names = tuple(label_names)
    if not label_names:
        raise ValueError("zero_shot needs at least one label name")
    prompts = tuple(template.format(label) for label in label_names)
    similarity = trained.embed_images(images) @ trained.embed_texts(prompts).T
    probabilities = softmax(similarity, temperature=trained.temperature, axis=1)
    return ZeroShotResult(np.argmax(similarity, axis=1), probabilities, label_names, prompts)


def held_out_accuracy(trained: TrainedClip, template: str = DEFAULT_TEMPLATE) -> float:
    """Zero-shot accuracy on the held-out images, choosing among all classes."""
    data = trained.held_out
    result = zero_shot(trained, data.images, data.label_names, template)
    return float(np.mean(result.predictions == data.labels))


def matched_and_mismatched_cosines(
    trained: _Embedder, data: Dataset, template: str = DEFAULT_TEMPLATE
) -> tuple[float, float]:
    """Mean cosine of each image of ``data`` with its own class's prompt, and with the others'.

    What the text means by "a matching pair scores higher": the first number against the
    second, not the first against 1.
    """
    prompts = tuple(template.format(label) for label in data.label_names)
    similarity = trained.embed_images(data.images) @ trained.embed_texts(prompts).T
    own = np.zeros(similarity.shape, dtype=bool)
    own[np.arange(len(data.labels)), data.labels] = True
    return float(similarity[own].mean()), float(similarity[~own].mean())
