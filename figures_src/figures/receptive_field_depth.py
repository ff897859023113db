"""Receptive field against depth: 3x3 conv stacks (with and without downsamples) vs ViT.

Built from ``kernels.receptive_field`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from figures_src.figure import FigureResult, require_finite
from figures_src.kernels import receptive_field as rf
from figures_src.plotting import Theme, chart_result

IMAGE_SIDE = 224
DEPTH = 17
KERNEL = 3
DOWNSAMPLES = (3, 6, 9, 12)


@dataclass(frozen=True)
class Curves:
    layers: np.ndarray  # 1..DEPTH
    plain: np.ndarray  # receptive field (px) of the stride-1 stack after each layer
    strided: np.ndarray  # same with stride-2 downsamples at DOWNSAMPLES
    vit: np.ndarray  # the ViT's receptive field: the whole image at every layer


def compute() -> Curves:
    plain, _ = rf.conv_receptive_fields(*rf.conv_stack(DEPTH, KERNEL))
    strided, _ = rf.conv_receptive_fields(*rf.conv_stack(DEPTH, KERNEL, DOWNSAMPLES))
    layers = np.arange(1, DEPTH + 1)
    vit = np.full(DEPTH, rf.vit_receptive_field(IMAGE_SIDE))
    # Index 0 of the kernel's arrays is the input pixel itself; plot layers 1..DEPTH.
    return Curves(
        layers,
        require_finite("plain receptive field", plain[1:]),
        require_finite("strided receptive field", strided[1:]),
        require_finite("ViT receptive field", vit),
    )


def first_layer_covering(fields: np.ndarray, side: int) -> int | None:
    """1-based layer at which a receptive field first spans ``side`` pixels."""
    reached = np.flatnonzero(fields >= side)
    return int(reached[0]) + 1 if reached.size else None


def _list(values: tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in values[:-1]) + f" and {values[-1]}"


def describe(c: Curves) -> tuple[str, str]:
    covering = first_layer_covering(c.strided, IMAGE_SIDE)
    reach = (
        f"covers the whole {IMAGE_SIDE} px image at layer {covering} "
        f"({int(c.strided[covering - 1])} px)"
        if covering
        else f"reaches {int(c.strided[-1])} px at layer {DEPTH}"
    )
    mid = DOWNSAMPLES[-1]
    alt = (
        f"Line chart of receptive field in pixels against depth (layers 1 to {DEPTH}) for a "
        f"{IMAGE_SIDE}×{IMAGE_SIDE} image. A stack of {KERNEL}×{KERNEL} convolutions with "
        f"stride 1 grows by {KERNEL - 1} px per layer, from {int(c.plain[0])} px at layer 1 "
        f"to {int(c.plain[-1])} px at layer {DEPTH}. With stride-2 downsamples at layers "
        f"{_list(DOWNSAMPLES)} it reaches {int(c.strided[mid - 1])} px at layer {mid} and "
        f"{reach}. A ViT sees all {int(c.vit[0])} px from layer 1: a flat line at the top."
    )
    caption = (
        f"Receptive field against depth for {KERNEL}×{KERNEL} convolution stacks and a ViT on "
        f"a {IMAGE_SIDE} px image. Only downsampling lets the convolutional curve climb to the "
        f"global line" + (f", which it meets at layer {covering}." if covering else ".")
    )
    return alt, caption


def draw(c: Curves, theme: Theme) -> Figure:
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for layer in DOWNSAMPLES:
        ax.axvline(layer, color=theme.grid, linewidth=1.0, linestyle="--", zorder=0)
    ax.plot(c.layers, c.vit, color=theme.series[1], linewidth=2.2)
    ax.plot(c.layers, c.strided, color=theme.series[0], marker="o", markersize=3.5, linewidth=1.8)
    ax.plot(c.layers, c.plain, color=theme.series[2], marker="s", markersize=3, linewidth=1.8)
    end = {"textcoords": "offset points", "xytext": (6, 0), "va": "center"}
    ax.annotate(
        f"ViT: all {int(c.vit[0])} px from layer 1",
        xy=(1, c.vit[0]),
        xytext=(0, 6),
        textcoords="offset points",
        va="bottom",
        color=theme.series[1],
    )
    ax.annotate(
        f"{KERNEL}×{KERNEL} conv, stride 2\nat layers {', '.join(map(str, DOWNSAMPLES))}: "
        f"{int(c.strided[-1])} px",
        xy=(DEPTH, c.strided[-1]),
        color=theme.series[0],
        **end,
    )
    ax.annotate(
        f"{KERNEL}×{KERNEL} conv, stride 1:\n{int(c.plain[-1])} px",
        xy=(DEPTH, c.plain[-1]),
        color=theme.series[2],
        **end,
    )
    ax.text(
        DOWNSAMPLES[0],
        IMAGE_SIDE * 0.62,
        "stride-2 downsample ",
        rotation=90,
        ha="right",
        va="center",
        color=theme.muted,
        fontsize=8,
    )
    ax.set_xlabel("Depth (layer)")
    ax.set_ylabel("Receptive field (px)")
    ax.set_xticks(c.layers[1::2] if DEPTH > 12 else c.layers)
    ax.set_xlim(0.5, DEPTH + 0.5)
    ax.set_ylim(0, max(IMAGE_SIDE, int(c.strided[-1])) * 1.12)
    return fig


def build() -> FigureResult:
    curves = compute()
    return chart_result(
        curves,
        describe,
        draw,
        meta={
            "downsample_layers": list(DOWNSAMPLES),
            "plain": curves.plain.tolist(),
            "strided": curves.strided.tolist(),
            "vit": int(curves.vit[0]),
        },
    )
