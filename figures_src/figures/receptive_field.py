"""INSTRUMENT MM1.1: the receptive field of a conv stack, layer by layer, against a ViT's.

Controls: depth (1-12 layers), kernel size (3, 5, 7) and how often a stride-2 downsample
sits in the stack (none, or every 4th/3rd/2nd/single layer).  Every one of the 180 states
is computed here with ``kernels.receptive_field``; the default (4 layers of 3x3, downsample
at layer 3) reads 11 px at feature stride 2.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from figures_src.figure import FigureResult, require_finite
from figures_src.figures import _instrument as shared
from figures_src.figures._instrument import Control, Instrument, Readout, State, options
from figures_src.kernels import receptive_field as rf
from figures_src.plotting import THEMES, Theme

NAME = "receptive_field"
CAPTION = (
    "Receptive field of a convolution stack against depth, beside a ViT's, for every "
    "depth, kernel size and downsampling pattern the controls offer."
)
IMAGE_SIDE = 224
DEPTHS = tuple(range(1, 13))
KERNELS = (3, 5, 7)
# Every n-th layer downsamples (0 = never); the order is the order of the radio buttons.
EVERY = (0, 4, 3, 2, 1)
_EVERY_LABEL = {
    0: "none",
    4: "every 4th layer",
    3: "every 3rd layer",
    2: "every 2nd layer",
    1: "every layer",
}

CONTROLS = (
    Control(
        "depth",
        "Depth (conv layers)",
        "range",
        options(DEPTHS, lambda d: f"{d} layer" + ("s" if d > 1 else "")),
        default=str(rf.DEFAULT_STACK["depth"]),
    ),
    Control(
        "kernel",
        "Kernel size k",
        "radio",
        options(KERNELS, "{0}×{0}".format),
        default=str(rf.DEFAULT_STACK["kernel_size"]),
    ),
    Control(
        "every",
        "Stride-2 downsample",
        "radio",
        options(EVERY, _EVERY_LABEL.__getitem__),
        default="3",
        hint="A downsample doubles the jump j between neighbouring units.",
    ),
)
READOUTS = (
    Readout("conv_rf", "Conv receptive field"),
    Readout("vit_rf", "ViT receptive field"),
    Readout("stride", "Conv feature stride"),
)
X_RANGE = [-0.4, DEPTHS[-1] + 0.6]


def downsample_layers(depth: int, every: int) -> tuple[int, ...]:
    """1-based layers with stride 2: every ``every``-th layer of the stack (none if 0)."""
    return tuple(layer for layer in range(1, depth + 1) if every and layer % every == 0)


def stack_fields(depth: int, kernel: int, every: int) -> tuple[list[int], list[int]]:
    """Receptive field and jump after each layer, input (layer 0) included."""
    kernels, strides = rf.conv_stack(depth, kernel, downsample_layers(depth, every))
    fields, jumps = rf.conv_receptive_fields(kernels, strides)
    require_finite("receptive fields", fields)
    return [int(v) for v in fields], [int(v) for v in jumps]


def y_top(fields: list[int]) -> int:
    """Top of the y axis: room above the ViT line and above the tallest conv value."""
    return max(260, int(math.ceil(max(fields) * 1.15 / 10.0)) * 10)


def _layers(layers: tuple[int, ...]) -> str:
    if not layers:
        return "no downsample"
    words = ", ".join(str(layer) for layer in layers[:-1])
    last = f"{words} and {layers[-1]}" if words else str(layers[-1])
    plural = "s" if len(layers) > 1 else ""
    return f"stride-2 downsample{plural} at layer{plural} {last}"


def describe(depth: int, kernel: int, every: int, fields: list[int], jumps: list[int]) -> str:
    layers = downsample_layers(depth, every)
    values = ", ".join(str(v) for v in fields)
    covering = next((i for i, r in enumerate(fields) if r >= IMAGE_SIDE), None)
    reach = (
        f" It covers the whole {IMAGE_SIDE} px image from layer {covering}."
        if covering is not None
        else ""
    )
    return (
        f"Line chart of receptive field against depth. A stack of {depth} {kernel}×{kernel} "
        f"convolution{'s' if depth > 1 else ''} with {_layers(layers)} sees {values} px after "
        f"layers 0 to {depth}: {fields[-1]} px at a feature stride of {jumps[-1]}.{reach} "
        f"A ViT sees the full {IMAGE_SIDE} px image from layer 1: a flat line at the top."
    )


def compute_state(depth: int, kernel: int, every: int) -> State:
    fields, jumps = stack_fields(depth, kernel, every)
    layers = downsample_layers(depth, every)
    top = y_top(fields)
    guides_x: list[float | None] = []
    guides_y: list[float | None] = []
    for layer in layers:
        guides_x += [layer, layer, None]
        guides_y += [0, top, None]
    vit_x = list(range(1, depth + 1))
    data = [
        {"x": vit_x, "y": [rf.vit_receptive_field(IMAGE_SIDE)] * depth},
        {"x": list(range(depth + 1)), "y": fields},
        {"x": list(layers), "y": [fields[layer] for layer in layers]},
        {"x": guides_x, "y": guides_y},
    ]
    layout = {
        "annotations": [
            {
                "font": {"weight": 700},  # not <b>: Plotly styles that via a style attribute
                "showarrow": False,
                "text": f"{fields[-1]} px",
                "x": depth,
                "xanchor": "left",
                "xshift": 8,
                "y": fields[-1],
                "yanchor": "middle",
            }
        ],
        "yaxis": {"range": [0, top]},
    }
    readouts = {"conv_rf": f"{fields[-1]} px", "stride": str(jumps[-1]), "vit_rf": "FULL"}
    return State(data, layout, readouts, describe(depth, kernel, every, fields, jumps))


def base_figure() -> dict:
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"ViT: full image ({IMAGE_SIDE} px)",
            "line": {"width": 3},
            "marker": {"size": 5},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "conv receptive field",
            "line": {"width": 2.5},
            "marker": {"size": 7},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "stride-2 downsample",
            "marker": {"size": 13, "symbol": "diamond-open", "line": {"width": 2}},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "downsample",
            "showlegend": False,
            "line": {"width": 1, "dash": "dot"},
        },
    ]
    layout = shared.base_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        margin={"b": 48, "l": 64, "r": 56, "t": 36},
        xaxis={
            "dtick": 1,
            "fixedrange": True,
            "range": X_RANGE,
            "tick0": 0,
            "title": {"text": "layer (0 = one input pixel)"},
            "zeroline": False,
        },
        yaxis={
            "fixedrange": True,
            "rangemode": "tozero",
            "ticksuffix": " px",
            "title": {"text": "receptive field"},
            "zeroline": False,
        },
    )
    return {"data": data, "layout": layout}


def themes() -> dict:
    patches = {}
    for theme in THEMES:
        patches[theme.name] = {
            "data": [
                {"line": {"color": theme.series[1]}, "marker": {"color": theme.series[1]}},
                {"line": {"color": theme.series[0]}, "marker": {"color": theme.series[0]}},
                {"marker": {"color": theme.series[3], "line": {"color": theme.series[3]}}},
                {"line": {"color": theme.muted}},
            ],
            "layout": shared.theme_layout(theme, ("xaxis", "yaxis")),
        }
    return patches


NARROW = shared.narrow_patch(
    legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
    margin={"b": 8, "l": 52, "r": 44, "t": 8},
    xaxis={"dtick": 2, "title": {"text": "layer"}},
    yaxis={"ticksuffix": "", "title": {"text": "receptive field (px)"}},
)


def instrument() -> Instrument:
    states = {}
    for depth in DEPTHS:
        for kernel in KERNELS:
            for every in EVERY:
                key = shared.state_key(CONTROLS, {"depth": depth, "every": every, "kernel": kernel})
                states[key] = compute_state(depth, kernel, every)
    built = Instrument(NAME, CONTROLS, READOUTS, base_figure(), themes(), states, NARROW)
    built.check()
    return built


def draw_poster(built: Instrument, theme: Theme, narrow: bool) -> Figure:
    defaults = {c.name: int(c.default) for c in CONTROLS}
    depth, kernel, every = defaults["depth"], defaults["kernel"], defaults["every"]
    fields, _ = stack_fields(depth, kernel, every)
    state = built.states[shared.default_key(CONTROLS)]
    fig = Figure(figsize=(3.9, 5.2) if narrow else (7.2, 4.4))
    band = 0.16 if narrow else 0.2
    items = [(r.label, state.readouts[r.name]) for r in READOUTS]
    shared.draw_readouts(
        fig, (0.02, 1 - band, 0.96, band - 0.01), items, theme, wrap=14 if narrow else 0
    )
    ax = fig.add_axes((0.18, 0.25, 0.7, 0.52) if narrow else (0.1, 0.13, 0.84, 0.57))
    vit = rf.vit_receptive_field(IMAGE_SIDE)
    ax.plot(
        range(1, depth + 1),
        [vit] * depth,
        color=theme.series[1],
        linewidth=2.4,
        marker="o",
        markersize=3,
        label=f"ViT: full image ({vit} px)",
    )
    ax.plot(
        range(depth + 1),
        fields,
        color=theme.series[0],
        linewidth=2,
        marker="o",
        markersize=4.5,
        label="conv receptive field",
    )
    layers = downsample_layers(depth, every)
    ax.plot(
        layers,
        [fields[i] for i in layers],
        linestyle="none",
        marker="D",
        markersize=9,
        markerfacecolor="none",
        markeredgecolor=theme.series[3],
        markeredgewidth=1.6,
        label="stride-2 downsample",
    )
    top = y_top(fields)
    for layer in layers:
        ax.axvline(layer, color=theme.muted, linewidth=0.9, linestyle=":", zorder=0)
    ax.annotate(
        f"{fields[-1]} px",
        (depth, fields[-1]),
        xytext=(7, 0),
        textcoords="offset points",
        va="center",
        fontweight="bold",
        color=theme.ink,
    )
    ax.set_xlim(*X_RANGE)
    ax.set_ylim(0, top)
    ax.set_xticks(range(0, DEPTHS[-1] + 1, 2 if narrow else 1))
    ax.set_xlabel("layer" if narrow else "layer (0 = one input pixel)")
    ax.set_ylabel("receptive field (px)")
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.17) if narrow else (0.0, 1.1),
        ncols=1 if narrow else 3,
        fontsize=8.5,
        borderaxespad=0.0,
    )
    return fig


def build() -> FigureResult:
    return shared.instrument_result(instrument(), READOUTS, draw_poster, CAPTION, check_every=7)
