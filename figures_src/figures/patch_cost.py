"""Patch count N and attention cost N^2 against patch size P at 224 px (EQ MM1.2).

Built from ``kernels.patches`` only; P = 16 is the canonical ViT-B/16 setting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from figures_src.figure import FigureResult, require_finite
from figures_src.kernels import patches
from figures_src.numbers import format_compact
from figures_src.plotting import Theme, chart_result

IMAGE_SIDE = 224
PATCH_SIZES = (7, 8, 14, 16, 28, 32, 56)
CANONICAL = 16


@dataclass(frozen=True)
class Table:
    sizes: np.ndarray
    tokens: np.ndarray  # N = (224 / P)^2, no [CLS]
    cost: np.ndarray  # N^2 attention entries

    def at(self, size: int) -> tuple[int, int]:
        index = int(np.flatnonzero(self.sizes == size)[0])
        return int(self.tokens[index]), int(self.cost[index])


def compute() -> Table:
    tokens = [patches.num_patches(IMAGE_SIDE, IMAGE_SIDE, p) for p in PATCH_SIZES]
    cost = [patches.attention_cost(n) for n in tokens]
    require_finite("patch counts", tokens)
    require_finite("attention costs", cost)
    return Table(
        np.array(PATCH_SIZES), np.array(tokens, dtype=np.int64), np.array(cost, dtype=np.int64)
    )


def describe(t: Table) -> tuple[str, str]:
    n16, cost16 = t.at(CANONICAL)
    n8, cost8 = t.at(CANONICAL // 2)
    side = IMAGE_SIDE // CANONICAL
    rows = "; ".join(
        f"P = {p}: {n:,} patches, {c:,} entries"
        for p, n, c in zip(t.sizes.tolist(), t.tokens.tolist(), t.cost.tolist(), strict=True)
    )
    alt = (
        f"Log-scale chart of the patch count N and the attention cost N² against patch size P "
        f"for a {IMAGE_SIDE}×{IMAGE_SIDE} image. {rows}. The canonical P = {CANONICAL} gives a "
        f"{side}×{side} grid of {n16:,} patches and {cost16:,} attention entries; halving P to "
        f"{CANONICAL // 2} multiplies N by {n8 // n16} and the cost by {cost8 // cost16}."
    )
    caption = (
        f"Patch count and attention cost against patch size at {IMAGE_SIDE} px (log scales). "
        f"P = {CANONICAL} gives {n16} tokens and an attention matrix of {format_compact(cost16)} "
        f"entries; halving P multiplies the tokens by {n8 // n16} and the cost by "
        f"{cost8 // cost16}."
    )
    return alt, caption


def power_of_ten_label(value: float) -> str:
    """Log-axis tick text: 10 -> "10", 1000 -> "1K", 1e6 -> "1M"."""
    exponent = round(np.log10(value))
    for suffix, power in (("M", 6), ("K", 3), ("", 0)):
        if exponent >= power:
            return f"{10 ** (exponent - power)}{suffix}"
    return f"{value:g}"


def draw(t: Table, theme: Theme) -> Figure:
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(
        t.sizes, t.cost, color=theme.series[1], marker="o", linewidth=1.8, label="Attention cost N²"
    )
    ax.plot(t.sizes, t.tokens, color=theme.series[0], marker="s", linewidth=1.8, label="Patches N")
    n16, cost16 = t.at(CANONICAL)
    ax.axvline(CANONICAL, color=theme.muted, linewidth=0.9, linestyle="--", zorder=0)
    for value, text, colour in (
        (cost16, f"{format_compact(cost16)} ({cost16:,})", theme.series[1]),
        (n16, f"{n16} tokens", theme.series[0]),
    ):
        ax.plot(
            [CANONICAL],
            [value],
            marker="o",
            markersize=9,
            markerfacecolor="none",
            markeredgecolor=theme.ink,
            markeredgewidth=1.2,
        )
        ax.annotate(
            text,
            xy=(CANONICAL, value),
            xytext=(9, 6),
            textcoords="offset points",
            color=colour,
            fontweight="bold",
        )
    ax.text(CANONICAL, 1.2 * t.cost.max(), f" P = {CANONICAL}", color=theme.ink, va="top")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(t.sizes)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: power_of_ten_label(value)))
    ax.set_xlabel(f"Patch size P (px) on a {IMAGE_SIDE}×{IMAGE_SIDE} image")
    ax.set_ylabel("Count (log scale)")
    ax.legend(loc="upper right")
    return fig


def build() -> FigureResult:
    table = compute()
    return chart_result(
        table,
        describe,
        draw,
        meta={
            "attention_cost": table.cost.tolist(),
            "patch_sizes": table.sizes.tolist(),
            "tokens": table.tokens.tolist(),
        },
    )
