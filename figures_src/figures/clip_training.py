"""The miniature CLIP before and after training (section 1.5, EQ MM1.4).

Cosine-similarity matrices of a batch of held-out (image, caption) pairs under the untrained
and the trained encoders, and the InfoNCE loss per training step.  Built from
``kernels.mini_clip`` (training, embeddings) and ``kernels.similarity`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from figures_src.figure import FigureResult, require_finite
from figures_src.kernels import mini_clip, similarity
from figures_src.plotting import Theme, render_svgs

BATCH = 8  # held-out pairs shown, one per class so the true match is unique
COLORMAP = "magma"


@dataclass(frozen=True)
class Snapshot:
    classes: tuple[str, ...]  # class of row/column i (image i, caption i)
    captions: tuple[str, ...]
    before: np.ndarray  # (BATCH, BATCH) cosine similarity, untrained encoders
    after: np.ndarray  # same, trained encoders
    loss: np.ndarray  # InfoNCE per training step
    batch_size: int  # training batch size (chance loss = ln batch_size)
    temperature: float


def pick_batch(labels: np.ndarray, size: int) -> np.ndarray:
    """Indices of the first held-out example of each of the first ``size`` classes seen."""
    first: dict[int, int] = {}
    for index, label in enumerate(labels.tolist()):
        first.setdefault(label, index)
        if len(first) == size:
            break
    if len(first) < size:
        raise ValueError(f"held-out set has only {len(first)} classes, need {size}")
    return np.array([first[label] for label in sorted(first)])


def compute(trained: mini_clip.TrainedClip | None = None) -> Snapshot:
    trained = trained or mini_clip.default_trained_clip()
    data = trained.held_out
    batch = pick_batch(data.labels, BATCH)
    images = data.images[batch]
    captions = tuple(data.captions[i] for i in batch)

    def matrix(encoders: mini_clip.ClipEncoders, label: str) -> np.ndarray:
        values = similarity.cosine_similarity_matrix(
            encoders.embed_images(images), encoders.embed_texts(captions)
        )
        return require_finite(label, values)

    return Snapshot(
        classes=tuple(data.label_names[data.labels[i]] for i in batch),
        captions=captions,
        before=matrix(trained.initial_model, "similarity before training"),
        after=matrix(trained.model, "similarity after training"),
        loss=require_finite("loss curve", trained.loss_curve),
        batch_size=int(trained.settings["batch_size"]),
        temperature=float(trained.temperature),
    )


@dataclass(frozen=True)
class Summary:
    diagonal: float
    off_diagonal: float
    matched: int  # rows whose most similar caption is their own


def summarise(matrix: np.ndarray) -> Summary:
    n = matrix.shape[0]
    off = ~np.eye(n, dtype=bool)
    matched = int(np.sum(np.argmax(matrix, axis=1) == np.arange(n)))
    return Summary(float(np.mean(np.diag(matrix))), float(np.mean(matrix[off])), matched)


def describe(s: Snapshot) -> tuple[str, str]:
    before, after = summarise(s.before), summarise(s.after)
    n, steps = len(s.classes), len(s.loss)
    chance = np.log(s.batch_size)
    alt = (
        f"Two {n}×{n} heat maps of cosine similarity between {n} held-out images (rows) and "
        f"their captions (columns), one pair per class ({', '.join(s.classes)}), and a loss "
        f"curve. Before training the mean similarity is {before.diagonal:.2f} on the diagonal "
        f"(true pairs) and {before.off_diagonal:.2f} off it, and {before.matched} of {n} "
        f"images rank their own caption first. After training the diagonal is hot: "
        f"{after.diagonal:.2f} against {after.off_diagonal:.2f} off the diagonal, and "
        f"{after.matched} of {n} images rank their own caption first. The symmetric InfoNCE "
        f"loss falls from {s.loss[0]:.2f} at step 1 (chance for a batch of {s.batch_size} is "
        f"ln {s.batch_size} = {chance:.2f}) to {s.loss[-1]:.2f} at step {steps}."
    )
    caption = (
        f"A miniature CLIP on held-out pairs: cosine similarity before and after {steps} "
        f"training steps (the diagonal holds the true image–caption pairs), and the symmetric "
        f"InfoNCE loss of EQ MM1.4 (τ = {s.temperature:g}) falling from {s.loss[0]:.2f} to "
        f"{s.loss[-1]:.2f}."
    )
    return alt, caption


def _heatmap(ax: Axes, matrix: np.ndarray, title: str, s: Snapshot, left: bool) -> AxesImage:
    image = ax.imshow(matrix, cmap=COLORMAP, vmin=-1.0, vmax=1.0)
    n = len(s.classes)
    ax.set_xticks(range(n), s.classes, rotation=55, ha="right", rotation_mode="anchor", fontsize=8)
    ax.set_yticks(range(n), s.classes if left else [""] * n, fontsize=8)
    ax.set_xlabel("caption")
    if left:
        ax.set_ylabel("image")
    ax.set_title(title, fontsize=10)
    ax.grid(False)
    return image


def draw(s: Snapshot, theme: Theme) -> Figure:
    fig = Figure(figsize=(7.0, 6.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(1.45, 1.0))
    before_ax, after_ax = top.subplots(1, 2)
    before, after = summarise(s.before), summarise(s.after)
    _heatmap(
        before_ax,
        s.before,
        f"before training\ndiagonal {before.diagonal:.2f}, off {before.off_diagonal:.2f}",
        s,
        left=True,
    )
    image = _heatmap(
        after_ax,
        s.after,
        f"after training\ndiagonal {after.diagonal:.2f}, off {after.off_diagonal:.2f}",
        s,
        left=False,
    )
    bar = top.colorbar(image, ax=[before_ax, after_ax], shrink=0.8, label="cosine similarity")
    bar.outline.set_visible(False)

    loss_ax = bottom.subplots()
    steps = np.arange(1, len(s.loss) + 1)
    chance = np.log(s.batch_size)
    loss_ax.plot(steps, s.loss, color=theme.series[0], linewidth=1.2)
    loss_ax.axhline(chance, color=theme.muted, linestyle="--", linewidth=1.0)
    loss_ax.text(
        steps[-1],
        chance,
        f"chance: ln {s.batch_size} = {chance:.2f}",
        ha="right",
        va="bottom",
        color=theme.muted,
        fontsize=9,
    )
    loss_ax.annotate(
        f"{s.loss[-1]:.2f}",
        xy=(steps[-1], s.loss[-1]),
        xytext=(0, 8),
        textcoords="offset points",
        ha="center",
        color=theme.series[0],
    )
    loss_ax.set_xlabel("training step")
    loss_ax.set_ylabel("InfoNCE loss")
    loss_ax.set_xlim(0, steps[-1] + 5)
    loss_ax.set_ylim(0, max(float(s.loss.max()), chance) * 1.1)
    return fig


def build() -> FigureResult:
    snapshot = compute()
    alt, caption = describe(snapshot)
    before, after = summarise(snapshot.before), summarise(snapshot.after)
    return FigureResult(
        artifacts=render_svgs(lambda theme: draw(snapshot, theme)),
        alt=alt,
        caption=caption,
        meta={
            "classes": list(snapshot.classes),
            "diagonal_after": round(after.diagonal, 6),
            "diagonal_before": round(before.diagonal, 6),
            "loss_first": round(float(snapshot.loss[0]), 6),
            "loss_last": round(float(snapshot.loss[-1]), 6),
        },
    )
