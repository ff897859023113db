"""Shared parts of the instrument modules (a helper: its name starts with ``_``).

An instrument precomputes every state its controls can reach.  Its ``build()`` returns:

- ``figure.json``: the Plotly base figure, one patch per palette, one per narrow screens and
  a table ``states[key] = {data, layout, readouts, alt, disabled}``; ``key`` joins the
  controls' values with ``|`` in control order.  The front end (``instruments.js``) only
  looks states up and merges patches: it does no arithmetic of its own.
- ``poster-{light,dark}.svg`` and ``poster-narrow-{light,dark}.svg``: the default state with
  its readouts, drawn by Matplotlib, shown before Plotly loads, without JavaScript and in
  print.
- ``meta["instrument"]``: what ``textbook.instruments.page`` needs to write the controls and the
  readouts into the page (labels, options, default values).

JSON is compact and deterministic: sorted keys, floats rounded, no NaN.
"""

from __future__ import annotations

import base64
import io
import json
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from PIL import Image

from figures_src.figure import FigureResult
from figures_src.plotting import THEMES, Theme, render_svgs

FORMAT = 1
KEY_SEPARATOR = "|"
# The front end switches to the narrow layout, and <picture> to the narrow poster, below this.
NARROW_MEDIA = "(max-width: 599px)"
FONT_FAMILY = '-apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif'
TRANSPARENT = "rgba(0,0,0,0)"
DIGITS = 4
CONFIG = {
    "displayModeBar": False,
    "doubleClick": False,
    "responsive": False,  # instruments.js resizes with a ResizeObserver it can disconnect
    "scrollZoom": False,
    "showTips": False,
    # No hover, zoom or drag layers: the controls drive the chart, and a static plot redraws
    # about a third faster (readouts and the chart's aria-label carry the values).
    "staticPlot": True,
}
CONTROL_KINDS = ("range", "radio", "select")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    image: str | None = None  # artifact name of a thumbnail shown in the label


def options(values: Iterable[Any], label: Callable[[Any], str]) -> tuple[Option, ...]:
    """One option per value: the value as text, and its label, e.g. ``"{} px".format``."""
    return tuple(Option(str(value), label(value)) for value in values)


@dataclass(frozen=True)
class Control:
    name: str
    label: str
    # range | radio | select; prefer radio for a few options: a <select> in a block that
    # content-visibility skips is laid out by Chromium's form scan at DOMContentLoaded.
    kind: str
    options: tuple[Option, ...]
    default: str
    hint: str = ""  # one line under the control, e.g. what lower and higher mean
    ends: tuple[str, str] | None = None  # range only: words under its two ends

    def __post_init__(self) -> None:
        if self.kind not in CONTROL_KINDS:
            raise ValueError(f"control {self.name}: kind must be one of {CONTROL_KINDS}")
        values = [option.value for option in self.options]
        if len(set(values)) != len(values) or not values:
            raise ValueError(f"control {self.name}: option values must be unique, got {values}")
        if self.default not in values:
            raise ValueError(f"control {self.name}: default {self.default!r} not in {values}")
        if any(KEY_SEPARATOR in value for value in values):
            raise ValueError(f"control {self.name}: option values may not contain '|'")

    def meta(self) -> dict[str, Any]:
        options = []
        for option in self.options:
            entry = {"label": option.label, "value": option.value}
            if option.image:
                entry["image"] = option.image
            options.append(entry)
        data: dict[str, Any] = {
            "default": self.default,
            "kind": self.kind,
            "label": self.label,
            "name": self.name,
            "options": options,
        }
        if self.hint:
            data["hint"] = self.hint
        if self.ends:
            data["ends"] = list(self.ends)
        return data


def display_label(label: str) -> str:
    """Readout labels are set in capitals, except the name "ViT"."""
    return label.upper().replace("VIT", "ViT")


@dataclass(frozen=True)
class Readout:
    name: str
    label: str


@dataclass
class State:
    """One reachable state: patches merged over the base figure, and its texts."""

    data: list[dict[str, Any]]  # one patch per base trace, same order
    layout: dict[str, Any]
    readouts: dict[str, str]
    alt: str  # what the chart shows in this state, with its values
    disabled: dict[str, list[str]] = field(default_factory=dict)  # control -> option values

    def as_json(self) -> dict[str, Any]:
        entry = {"alt": self.alt, "data": self.data, "layout": self.layout}
        entry["readouts"] = dict(self.readouts)
        if self.disabled:
            entry["disabled"] = {name: list(values) for name, values in self.disabled.items()}
        return entry


def state_key(controls: Sequence[Control], values: Mapping[str, object]) -> str:
    """The table key of a state: the controls' values joined with '|', in control order."""
    return KEY_SEPARATOR.join(str(values[control.name]) for control in controls)


def default_key(controls: Sequence[Control]) -> str:
    return KEY_SEPARATOR.join(control.default for control in controls)


def rounded(value: Any, digits: int = DIGITS) -> Any:
    """``value`` with every float rounded (integral floats become ints), NaN refused."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if not np.isfinite(number):
            raise ValueError(f"non-finite number {number} in instrument data")
        number = round(number, digits)
        return int(number) if number.is_integer() else number
    if isinstance(value, np.ndarray):
        return rounded(value.tolist(), digits)
    if isinstance(value, Mapping):
        return {str(key): rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item, digits) for item in value]
    raise TypeError(f"cannot put {type(value).__name__} into instrument JSON")


def dumps(value: Any) -> bytes:
    """Compact, key-sorted JSON bytes (UTF-8)."""
    text = json.dumps(
        rounded(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")


# --- themes ------------------------------------------------------------------------------


def theme_layout(theme: Theme, axes: Iterable[str]) -> dict[str, Any]:
    """Layout colours for one palette; ``axes`` names the layout's axes (xaxis, yaxis2, ...)."""
    layout: dict[str, Any] = {
        "font": {"color": theme.ink},
        "legend": {"font": {"color": theme.ink}},
    }
    for axis in axes:
        layout[axis] = {
            "gridcolor": theme.grid,
            "linecolor": theme.muted,
            "tickcolor": theme.muted,
            "zerolinecolor": theme.grid,
        }
    return layout


def base_layout(**layout: Any) -> dict[str, Any]:
    """Layout fields every instrument shares (transparent, fixed, no zooming)."""
    shared = {
        "autosize": False,  # instruments.js passes the chart box's width and height
        "dragmode": False,
        "font": {"family": FONT_FAMILY, "size": 13},
        "hovermode": False,
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
    }
    return {**shared, **layout}


def narrow_patch(**layout: Any) -> dict[str, Any]:
    """``Instrument.narrow``: the smaller type every instrument uses below NARROW_MEDIA, then
    this instrument's own layout changes."""
    return {"layout": {"font": {"size": 11}, **layout}}


# --- images ------------------------------------------------------------------------------


def png_bytes(pixels: np.ndarray) -> bytes:
    """A PNG of an (h, w, 3) RGB or (h, w, 4) RGBA uint8 array; same bytes on every run
    (Pillow writes no time or metadata chunk unless asked)."""
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"need an (h, w, 3|4) uint8 array, got {pixels.dtype} {pixels.shape}")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", compress_level=9)
    return out.getvalue()


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] to uint8 (rounded, clipped)."""
    return np.clip(np.rint(np.asarray(image, dtype=float) * 255.0), 0, 255).astype(np.uint8)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def upscale(pixels: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement (blocks of factor x factor)."""
    return np.repeat(np.repeat(pixels, factor, axis=0), factor, axis=1)


# --- validation ----------------------------------------------------------------------------


def merge(base: Any, patch: Any) -> Any:
    """Deep merge as instruments.js does it: objects merge, lists and scalars replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base.get(key), value) if key in base else value
        return merged
    return patch


def merged_figure(
    figure: Mapping[str, Any], state: State, theme: Mapping[str, Any], narrow: Mapping | None
) -> dict[str, Any]:
    """The figure the front end draws for one state, palette and width (for checks, tests)."""
    layout = merge(figure["layout"], state.layout)
    data = [merge(trace, patch) for trace, patch in zip(figure["data"], state.data, strict=True)]
    if narrow:
        layout = merge(layout, narrow.get("layout", {}))
    layout = merge(layout, theme.get("layout", {}))
    patches = theme.get("data", [{}] * len(data))
    data = [merge(trace, patch) for trace, patch in zip(data, patches, strict=True)]
    return {"data": data, "layout": layout}


def validate_with_plotly(figures: Iterable[Mapping[str, Any]]) -> None:
    """Let plotly.py check every property name and value (typos fail the build)."""
    import plotly.graph_objects as go

    for figure in figures:
        go.Figure(data=rounded(figure["data"]), layout=rounded(figure["layout"]))


# --- assembling ----------------------------------------------------------------------------


@dataclass
class Instrument:
    """Everything one instrument module computes; ``build`` turns it into a FigureResult."""

    name: str
    controls: tuple[Control, ...]
    readouts: tuple[Readout, ...]
    figure: dict[str, Any]  # {"data": [...], "layout": {...}}
    themes: dict[str, dict[str, Any]]  # theme name -> {"data": [...], "layout": {...}}
    states: dict[str, State]
    narrow: dict[str, Any] = field(default_factory=dict)  # {"layout": {...}}
    redirects: dict[str, str] = field(default_factory=dict)  # unreachable key -> state key
    refs: dict[str, str] = field(default_factory=dict)  # {"$ref": name} -> string

    def check(self) -> None:
        """Every control combination is a state or redirects to one; defaults exist."""
        key = default_key(self.controls)
        if key not in self.states:
            raise ValueError(f"{self.name}: the default state {key!r} was not computed")
        combos = [[]]
        for control in self.controls:
            combos = [c + [o.value] for c in combos for o in control.options]
        for combo in combos:
            key = KEY_SEPARATOR.join(combo)
            target = self.redirects.get(key, key)
            if target not in self.states:
                raise ValueError(f"{self.name}: no state for {key!r} (nor a redirect)")
        for key, state in self.states.items():
            missing = {r.name for r in self.readouts} - set(state.readouts)
            if missing:
                raise ValueError(f"{self.name}: state {key!r} lacks readouts {sorted(missing)}")
            if len(state.data) != len(self.figure["data"]):
                raise ValueError(f"{self.name}: state {key!r} patches the wrong number of traces")
        for theme in THEMES:
            if theme.name not in self.themes:
                raise ValueError(f"{self.name}: no patch for the {theme.name} palette")

    def figure_json(self) -> bytes:
        return dumps(
            {
                "config": CONFIG,
                "controls": [
                    {
                        "labels": [o.label for o in c.options],
                        "name": c.name,
                        "values": [o.value for o in c.options],
                    }
                    for c in self.controls
                ],
                "default": default_key(self.controls),
                "figure": self.figure,
                "format": FORMAT,
                "name": self.name,
                "narrow": {"layout": self.narrow.get("layout", {}), "media": NARROW_MEDIA},
                "redirects": self.redirects,
                "refs": self.refs,
                "states": {key: state.as_json() for key, state in self.states.items()},
                "themes": self.themes,
            }
        )

    def meta(self) -> dict[str, Any]:
        state = self.states[default_key(self.controls)]
        return rounded(
            {
                "instrument": {
                    "alt": state.alt,
                    "controls": [control.meta() for control in self.controls],
                    "format": FORMAT,
                    "narrow_media": NARROW_MEDIA,
                    "readouts": [
                        {"label": r.label, "name": r.name, "value": state.readouts[r.name]}
                        for r in self.readouts
                    ],
                }
            }
        )

    def resolved(self, value: Any) -> Any:
        """``value`` with every ``{"$ref": name}`` replaced (what the front end does)."""
        if isinstance(value, dict):
            if set(value) == {"$ref"}:
                return self.refs[value["$ref"]]
            return {key: self.resolved(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolved(item) for item in value]
        return value

    def drawn(self, key: str, theme: str = "light", narrow: bool = False) -> dict[str, Any]:
        """The Plotly figure of state ``key`` as the front end draws it."""
        figure = merged_figure(
            self.figure, self.states[key], self.themes[theme], self.narrow if narrow else None
        )
        return self.resolved(figure)


def poster_artifacts(draw: Callable[[Theme, bool], Figure]) -> dict[str, bytes]:
    """Wide and narrow posters, light and dark: ``poster-[narrow-]{light,dark}.svg``."""
    artifacts = render_svgs(lambda theme: draw(theme, False), prefix="poster-")
    artifacts.update(render_svgs(lambda theme: draw(theme, True), prefix="poster-narrow-"))
    return artifacts


def draw_readouts(
    fig: Figure,
    rect: tuple[float, float, float, float],
    items: Sequence[tuple[str, str]],
    theme: Theme,
    rows: Sequence[int] | None = None,
    wrap: int = 0,
) -> None:
    """Readout boxes (small label over a large value) in figure coordinates ``rect``.

    ``rows`` gives how many boxes each row holds (default: all in one row); ``wrap`` > 0
    breaks labels into lines of at most that many characters (narrow posters).
    """
    left, bottom, width, height = rect
    rows = list(rows or [len(items)])
    if sum(rows) != len(items):
        raise ValueError(f"rows {rows} do not hold {len(items)} readouts")
    cell_h = height / len(rows)
    index = 0
    for row, count in enumerate(rows):
        cell_w = width / count
        y = bottom + (len(rows) - 1 - row) * cell_h
        for col in range(count):
            label, value = items[index]
            index += 1
            ax = fig.add_axes(
                (left + col * cell_w + 0.006, y + 0.01, cell_w - 0.012, cell_h - 0.02)
            )
            ax.set_axis_off()
            pad = min(0.07, 0.021 / cell_w)  # the same inset whatever the box width
            ax.add_patch(
                FancyBboxPatch(
                    (0.0, 0.0),
                    1.0,
                    1.0,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    facecolor="none",
                    edgecolor=theme.grid,
                    linewidth=1.0,
                    transform=ax.transAxes,
                )
            )
            text = display_label(label)
            if wrap:
                text = "\n".join(textwrap.wrap(text, wrap))
            ax.text(
                pad,
                0.68,
                text,
                fontsize=7.0 if wrap else 7.5,
                color=theme.muted,
                va="center",
                fontweight="bold",
                linespacing=1.1,
                transform=ax.transAxes,
            )
            size = 15 if len(value) < 12 else 11.5
            ax.text(
                pad,
                0.27,
                value,
                fontsize=size - 2 if wrap else size,
                color=theme.ink,
                va="center",
                fontweight="bold",
                transform=ax.transAxes,
            )


def instrument_result(
    built: Instrument,
    readouts: Sequence[Readout],
    draw_poster: Callable[[Instrument, Theme, bool], Figure],
    caption: str,
    check_every: int = 1,
    extra_artifacts: Mapping[str, bytes] | None = None,
) -> FigureResult:
    """The artifacts of an instrument: its state table, posters, alt text from the default state.

    Every themed and narrow rendering of the default state, and every `check_every`-th state,
    is validated by plotly.py first, so a figure the browser would reject fails the build.
    """
    key = default_key(built.controls)
    validate_with_plotly(
        [built.drawn(key, theme.name, narrow) for theme in THEMES for narrow in (False, True)]
        + [built.drawn(k) for k in sorted(built.states)[::check_every]]
    )
    state = built.states[key]
    readout_text = ", ".join(f"{r.label} {state.readouts[r.name]}" for r in readouts)
    artifacts = {"figure.json": built.figure_json(), **(extra_artifacts or {})}
    artifacts.update(poster_artifacts(lambda theme, narrow: draw_poster(built, theme, narrow)))
    return FigureResult(
        artifacts=artifacts,
        alt=f"{state.alt} Readouts: {readout_text}.",
        caption=caption,
        meta=built.meta(),
    )
