"""Matplotlib for figure modules: a light and a dark theme, deterministic SVG output.

A figure module draws once per theme::

    def draw(theme: Theme) -> Figure:
        fig = Figure(figsize=(7, 3.6))
        ax = fig.add_subplot()
        ax.plot(x, y, color=theme.series[0])
        return fig

    artifacts = render_svgs(draw)          # {"light.svg": b"...", "dark.svg": b"..."}

Both renderings have a transparent background, so they sit on Material's default and slate
palettes; only the ink changes.  Every plotted artist is checked for NaN/inf before saving.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from figures_src.figure import FigureResult  # noqa: E402

SVG_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}
SVG_HASHSALT = "tb-figures"


@dataclass(frozen=True)
class Theme:
    """Ink for one palette.  ``series`` colours are ordered and match across themes."""

    name: str
    ink: str  # text, axes, labels
    muted: str  # secondary text, reference lines
    grid: str
    paper: str  # the page colour behind the figure (for halos and label boxes)
    series: tuple[str, ...]  # indigo, orange, teal, pink, grey

    @property
    def rc(self) -> dict[str, object]:
        return {
            "axes.edgecolor": self.muted,
            "axes.facecolor": "none",
            "axes.grid": True,
            "axes.labelcolor": self.ink,
            "axes.prop_cycle": matplotlib.cycler(color=list(self.series)),
            "axes.spines.right": False,
            "axes.spines.top": False,
            "axes.titlecolor": self.ink,
            "figure.facecolor": "none",
            "font.size": 10.0,
            "grid.color": self.grid,
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "legend.labelcolor": self.ink,
            "savefig.facecolor": "none",
            "svg.fonttype": "path",
            "svg.hashsalt": SVG_HASHSALT,
            "text.color": self.ink,
            "xtick.color": self.muted,
            "xtick.labelcolor": self.ink,
            "ytick.color": self.muted,
            "ytick.labelcolor": self.ink,
        }


# The two palettes side by side, a column per role; `series` is in the order the Theme names.
# Material's slate background is about #1e2129; the dark tints keep >= 4.5:1 contrast on it.
# fmt: off
#              name     ink        muted      grid       paper
LIGHT = Theme("light", "#1f2329", "#5f6672", "#dde1e8", "#ffffff",
              series=("#3949ab", "#d84315", "#00796b", "#ad1457", "#616161"))
DARK = Theme( "dark",  "#e3e6ee", "#a3a9b6", "#3a3f4b", "#1e2129",
              series=("#9fa8ff", "#ffab91", "#4fd1c0", "#f48fb1", "#bdbdbd"))
# fmt: on
THEMES = (LIGHT, DARK)


def check_finite_artists(fig: Figure) -> None:
    """Raise ValueError naming the first plotted artist that carries NaN or inf data."""
    with np.errstate(all="ignore"):  # transforming inf/NaN geometry warns; we report it
        _check_finite_artists(fig)


def _check_finite_artists(fig: Figure) -> None:
    for axes_index, ax in enumerate(fig.axes):
        checks: list[tuple[object, object]] = []
        checks += [(line, line.get_xydata()) for line in ax.lines]
        checks += [(coll, coll.get_offsets()) for coll in ax.collections]
        for coll in ax.collections:
            checks += [(coll, path.vertices) for path in coll.get_paths()]
        checks += [
            (p, p.get_patch_transform().transform(p.get_path().vertices)) for p in ax.patches
        ]
        checks += [(image, image.get_array()) for image in ax.images]
        checks += [(text, text.get_position()) for text in ax.texts]
        for artist, data in checks:
            values = np.ma.filled(np.ma.asarray(data, dtype=float), 0.0)
            if not np.all(np.isfinite(values)):
                label = artist.get_label() if hasattr(artist, "get_label") else ""
                raise ValueError(
                    f"NaN/inf in plotted data: {type(artist).__name__} {label!r} in axes "
                    f"{axes_index}; check the arrays passed to it (figure.require_finite)"
                )


def svg_bytes(fig: Figure) -> bytes:
    """Save ``fig`` as SVG with no date, creator or random ids (same bytes every run)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    return buffer.getvalue()


def render_svgs(draw: Callable[[Theme], Figure], *, prefix: str = "") -> dict[str, bytes]:
    """Draw once per theme from default rcParams; return ``{prefix}light.svg``/``dark.svg``."""
    artifacts = {}
    for theme in THEMES:
        matplotlib.rcdefaults()
        plt.close("all")
        with matplotlib.rc_context(theme.rc):
            fig = draw(theme)
            if not isinstance(fig, Figure):
                raise TypeError(f"draw() must return a matplotlib Figure, got {type(fig)}")
            check_finite_artists(fig)
            artifacts[f"{prefix}{theme.name}.svg"] = svg_bytes(fig)
        plt.close("all")
    matplotlib.rcdefaults()
    return artifacts


Data = TypeVar("Data")


def chart_result(
    data: Data,
    describe: Callable[[Data], tuple[str, str]],
    draw: Callable[[Data, Theme], Figure],
    meta: Mapping[str, Any],
) -> FigureResult:
    """The result of a static chart: ``data`` described (alt, caption) and drawn per theme."""
    alt, caption = describe(data)
    return FigureResult(
        artifacts=render_svgs(lambda theme: draw(data, theme)),
        alt=alt,
        caption=caption,
        meta=meta,
    )
