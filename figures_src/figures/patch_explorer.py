"""INSTRUMENT MM1.2: a synthetic scene cut into ViT patches, and the token sequence it becomes.

Controls: image side H and patch side P.  Only patch sizes that divide H are offered (the
others are disabled, and a state that would need one moves to P = 16).  Every state is
computed here with ``kernels.patches``: the grid from ``patch_grid``, each token's colour is
the mean of its flattened patch from ``patchify``, and the readouts are ``num_patches``,
``sequence_length`` and ``attention_cost`` (compact form).  Default 224/16: 196, 197, 38.4K.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from figures_src.figure import FigureResult, require_finite
from figures_src.figures import _instrument as shared
from figures_src.figures._instrument import Control, Instrument, Readout, State, options
from figures_src.kernels import patches as kp
from figures_src.numbers import format_compact
from figures_src.plotting import THEMES, Theme

NAME = "patch_explorer"
CAPTION = (
    "A synthetic scene cut into ViT patches for every image side and patch size the "
    "controls offer, with the token sequence it becomes."
)
SIDES = (64, 96, 112, 128, 192, 224, 256)
PATCHES = (8, 14, 16, 32)
FALLBACK_PATCH = 16  # divides every side above: where an impossible combination lands
SEQUENCE_COLUMNS = 48  # the token sequence wraps after this many tokens
SEQUENCE_ROWS = -(
    -(max(kp.num_patches(s, s, p) for s in SIDES for p in PATCHES if s % p == 0) + 1)
    // SEQUENCE_COLUMNS
)
CHIP, GAP = 5, 1  # pixels per token chip and between chips in the sequence image
CLS_RGB = (216, 27, 196)  # a magenta that the scene never uses
GRID_RGBA = "rgba(255,255,255,0.9)"
SCENE_SEED = 7

PATCH_HINT = "Sizes that do not divide H are disabled: a ViT neither pads nor crops."
CONTROLS = (
    # Radio buttons, not a <select>: Chromium's form scan at DOMContentLoaded lays out every
    # block skipped by content-visibility that holds a text field or a select (~40 ms at 4x CPU
    # for this one), and seven sides read at a glance anyway.
    Control("side", "Image side H", "radio", options(SIDES, "{} px".format), default="224"),
    Control("patch", "Patch side P", "radio", options(PATCHES, "{} px".format), "16", PATCH_HINT),
)
READOUTS = (
    Readout("patches", "Patches (N)"),
    Readout("sequence", "Sequence (N + CLS)"),
    Readout("attention", "Attention cost ∝ N²"),
)

# Flat colours (RGB 0-1): a few big regions, so patches of different sizes look different.
SKY, SKY_HIGH = (0.56, 0.79, 0.90), (0.44, 0.70, 0.86)
SUN, CLOUD = (1.0, 0.82, 0.40), (0.97, 0.98, 1.0)
MOUNTAIN, SNOW = (0.42, 0.48, 0.56), (0.93, 0.95, 0.97)
GRASS, MEADOW = (0.46, 0.69, 0.25), (0.35, 0.60, 0.20)
WALL, ROOF, DOOR, WINDOW = (
    (0.91, 0.44, 0.32),
    (0.55, 0.23, 0.16),
    (0.29, 0.17, 0.13),
    (1.0, 0.95, 0.69),
)
TRUNK, CANOPY = (0.42, 0.26, 0.15), (0.18, 0.42, 0.31)


def synthetic_scene(side: int) -> np.ndarray:
    """A (side, side, 3) float scene in [0, 1]: sky, sun, mountains, meadow, house, trees.

    Drawn in continuous coordinates (u right, v down, both 0-1) and sampled at pixel centres,
    so every side shows the same scene at its own resolution.  Tree positions come from a
    seeded generator: the scene is identical on every run.
    """
    v, u = (np.mgrid[0:side, 0:side] + 0.5) / side
    image = np.empty((side, side, 3))

    def paint(mask: np.ndarray, colour: tuple[float, float, float]) -> None:
        image[mask] = colour

    paint(np.ones_like(u, dtype=bool), SKY)
    paint(v < 0.22, SKY_HIGH)
    paint((u - 0.8) ** 2 + (v - 0.17) ** 2 < 0.085**2, SUN)
    for cx, cy, rx, ry in ((0.30, 0.14, 0.11, 0.045), (0.40, 0.12, 0.08, 0.04)):
        paint(((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2 < 1, CLOUD)
    for peak_u, peak_v, half in ((0.58, 0.28, 0.24), (0.80, 0.36, 0.2)):
        mountain = (v > peak_v) & (np.abs(u - peak_u) < (v - peak_v) / (0.62 - peak_v) * half)
        paint(mountain, MOUNTAIN)
        paint(mountain & (v < peak_v + 0.06), SNOW)
    paint(v > 0.62, GRASS)
    paint(v > 0.74 + 0.05 * np.sin(2 * np.pi * u), MEADOW)
    paint((u > 0.1) & (u < 0.36) & (v > 0.5) & (v < 0.8), WALL)
    paint((v > 0.34) & (v <= 0.5) & (np.abs(u - 0.23) < (v - 0.34) / 0.16 * 0.16), ROOF)
    paint((u > 0.2) & (u < 0.26) & (v > 0.65) & (v < 0.8), DOOR)
    paint((u > 0.13) & (u < 0.18) & (v > 0.55) & (v < 0.61), WINDOW)
    paint((u > 0.29) & (u < 0.34) & (v > 0.55) & (v < 0.61), WINDOW)
    rng = np.random.default_rng(SCENE_SEED)
    for tree_u, base_v, size in zip(
        rng.uniform(0.45, 0.95, 3),
        rng.uniform(0.76, 0.9, 3),
        rng.uniform(0.05, 0.08, 3),
        strict=True,
    ):
        paint((np.abs(u - tree_u) < size * 0.25) & (v < base_v) & (v > base_v - 2 * size), TRUNK)
        paint((u - tree_u) ** 2 + (v - (base_v - 2.2 * size)) ** 2 < size**2, CANOPY)
    return require_finite("scene", image)


def token_colours(scene: np.ndarray, patch: int) -> np.ndarray:
    """(N, 3) mean colour of every patch, in sequence (row-major) order, via ``patchify``."""
    flat = kp.patchify(scene, patch)  # (N, P*P*3), each patch flattened (row, col, channel)
    return flat.reshape(flat.shape[0], patch * patch, 3).mean(axis=1)


def sequence_image(colours: np.ndarray) -> np.ndarray:
    """RGBA uint8 picture of [CLS] + tokens, SEQUENCE_COLUMNS per row, transparent gaps."""
    count = len(colours) + 1
    rows = -(-count // SEQUENCE_COLUMNS)
    cell = CHIP + GAP
    pixels = np.zeros((rows * cell, SEQUENCE_COLUMNS * cell, 4), dtype=np.uint8)
    chips = np.vstack([np.array([CLS_RGB], dtype=np.uint8), shared.to_uint8(colours)])
    for index, rgb in enumerate(chips):
        row, col = divmod(index, SEQUENCE_COLUMNS)
        pixels[row * cell : row * cell + CHIP, col * cell : col * cell + CHIP, :3] = rgb
        pixels[row * cell : row * cell + CHIP, col * cell : col * cell + CHIP, 3] = 255
    return pixels


def grid_lines(rows: int) -> tuple[list, list]:
    """Segments (x, y with None breaks) of a rows x rows grid over the unit square."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for k in range(rows + 1):
        xs += [k / rows, k / rows, None, 0, 1, None]
        ys += [0, 1, None, k / rows, k / rows, None]
    return xs, ys


def sequence_title(n: int) -> str:
    return f"sequence: [CLS] (magenta) + {n} tokens = {n + 1}"


def readouts(side: int, patch: int) -> dict[str, str]:
    n = kp.num_patches(side, side, patch)
    return {
        "attention": format_compact(kp.attention_cost(n)),
        "patches": str(n),
        "sequence": str(kp.sequence_length(side, side, patch)),
    }


def describe(side: int, patch: int) -> str:
    rows, _ = kp.patch_grid(side, side, patch)
    n = kp.num_patches(side, side, patch)
    return (
        f"A synthetic {side} × {side} px scene (sky, sun, mountains, a house and trees) cut "
        f"into a {rows} × {rows} grid of {patch} × {patch} px patches, and the sequence it "
        f"becomes: a [CLS] token followed by the {n} patch tokens in row-major order, "
        f"{kp.sequence_length(side, side, patch)} tokens in all; self-attention compares "
        f"{n}² = {kp.attention_cost(n):,} pairs ({format_compact(kp.attention_cost(n))})."
    )


def compute_state(side: int, patch: int, scene: np.ndarray) -> State:
    rows, cols = kp.patch_grid(side, side, patch)
    colours = token_colours(scene, patch)
    sequence = sequence_image(colours)
    seq_rows = sequence.shape[0] // (CHIP + GAP)
    xs, ys = grid_lines(rows)
    n = kp.num_patches(side, side, patch)
    layout = {
        "annotations": [
            {
                "text": f"{side} × {side} px → {rows} × {cols} patches of {patch} px",
                "x": 0,
                "xref": "x",
                "xanchor": "left",
                "y": 1,
                "yref": "y",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
            },
            {
                "text": sequence_title(n),
                "x": 0,
                "xref": "x2",
                "xanchor": "left",
                "y": SEQUENCE_ROWS,
                "yref": "y2",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
            },
        ],
        "images": [
            {
                "source": {"$ref": f"scene-{side}"},
                "x": 0,
                "y": 1,
                "sizex": 1,
                "sizey": 1,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "yanchor": "top",
                "sizing": "stretch",
                "layer": "below",
            },
            {
                "source": shared.data_uri(shared.png_bytes(sequence)),
                "x": 0,
                "y": SEQUENCE_ROWS,
                "sizex": SEQUENCE_COLUMNS,
                "sizey": seq_rows,
                "xref": "x2",
                "yref": "y2",
                "xanchor": "left",
                "yanchor": "top",
                "sizing": "stretch",
                "layer": "below",
            },
        ],
    }
    disabled = [str(p) for p in PATCHES if side % p]
    return State(
        data=[{"x": xs, "y": ys}],
        layout=layout,
        readouts=readouts(side, patch),
        alt=describe(side, patch),
        disabled={"patch": disabled} if disabled else {},
    )


def base_figure() -> dict:
    hidden = {
        "fixedrange": True,
        "showgrid": False,
        "showticklabels": False,
        "ticks": "",
        "zeroline": False,
        "showline": False,
    }
    layout = shared.base_layout(
        margin={"b": 8, "l": 8, "r": 8, "t": 30},
        showlegend=False,
        xaxis={**hidden, "domain": [0, 0.46], "range": [0, 1]},
        yaxis={
            **hidden,
            "domain": [0, 0.94],
            "range": [0, 1],
            "scaleanchor": "x",
            "constrain": "domain",
            "constraintoward": "top",
        },
        xaxis2={**hidden, "domain": [0.54, 1], "range": [0, SEQUENCE_COLUMNS]},
        yaxis2={
            **hidden,
            "domain": [0, 0.94],
            "range": [0, SEQUENCE_ROWS],
            "scaleanchor": "x2",
            "constrain": "domain",
            "constraintoward": "top",
        },
    )
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "patch grid",
            "line": {"color": GRID_RGBA, "width": 1},
            "xaxis": "x",
            "yaxis": "y",
        }
    ]
    return {"data": data, "layout": layout}


def themes() -> dict:
    return {t.name: {"data": [{}], "layout": shared.theme_layout(t, ())} for t in THEMES}


NARROW = shared.narrow_patch(
    margin={"b": 4, "l": 4, "r": 4, "t": 22},
    xaxis={"domain": [0, 1]},
    yaxis={"domain": [0.36, 1.0]},
    xaxis2={"domain": [0, 1]},
    yaxis2={"domain": [0, 0.31]},
)


def instrument() -> Instrument:
    scenes = {side: synthetic_scene(side) for side in SIDES}
    states, redirects = {}, {}
    for side in SIDES:
        for patch in PATCHES:
            key = shared.state_key(CONTROLS, {"patch": patch, "side": side})
            if side % patch:
                redirects[key] = shared.state_key(CONTROLS, {"patch": FALLBACK_PATCH, "side": side})
            else:
                states[key] = compute_state(side, patch, scenes[side])
    refs = {
        f"scene-{side}": shared.data_uri(shared.png_bytes(shared.to_uint8(scenes[side])))
        for side in SIDES
    }
    built = Instrument(
        NAME,
        CONTROLS,
        READOUTS,
        base_figure(),
        themes(),
        states,
        NARROW,
        redirects=redirects,
        refs=refs,
    )
    built.check()
    return built


def draw_poster(built: Instrument, theme: Theme, narrow: bool) -> Figure:
    side, patch = (int(c.default) for c in CONTROLS)
    scene = synthetic_scene(side)
    rows, _ = kp.patch_grid(side, side, patch)
    sequence = sequence_image(token_colours(scene, patch))
    state = built.states[shared.default_key(CONTROLS)]
    fig = Figure(figsize=(3.9, 5.4) if narrow else (7.2, 4.4))
    band = 0.15 if narrow else 0.2
    items = [(r.label, state.readouts[r.name]) for r in READOUTS]
    shared.draw_readouts(
        fig, (0.02, 1 - band, 0.96, band - 0.01), items, theme, wrap=12 if narrow else 0
    )
    if narrow:
        scene_rect, seq_rect = (0.13, 0.37, 0.74, 0.42), (0.04, 0.02, 0.92, 0.29)
    else:
        scene_rect, seq_rect = (0.03, 0.03, 0.44, 0.66), (0.53, 0.03, 0.44, 0.66)
    ax = fig.add_axes(scene_rect)
    ax.imshow(
        shared.upscale(shared.to_uint8(scene), max(1, 512 // side)),
        extent=(0, 1, 0, 1),
        interpolation="nearest",
    )
    for k in range(rows + 1):
        ax.axvline(k / rows, color="white", alpha=0.9, linewidth=0.6)
        ax.axhline(k / rows, color="white", alpha=0.9, linewidth=0.6)
    ax.set_title(
        f"{side} × {side} px → {rows} × {rows} patches of {patch} px",
        fontsize=9,
        color=theme.ink,
        loc="left",
    )
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    seq_rows = sequence.shape[0] // (CHIP + GAP)
    ax2 = fig.add_axes(seq_rect)
    ax2.imshow(
        sequence,
        extent=(0, SEQUENCE_COLUMNS, SEQUENCE_ROWS - seq_rows, SEQUENCE_ROWS),
        interpolation="nearest",
    )
    ax2.set_xlim(0, SEQUENCE_COLUMNS)
    ax2.set_ylim(0, SEQUENCE_ROWS)
    ax2.set_aspect("equal")
    ax2.set_axis_off()
    n = kp.num_patches(side, side, patch)
    ax2.set_title(sequence_title(n), fontsize=9, color=theme.ink, loc="left")
    return fig


def build() -> FigureResult:
    return shared.instrument_result(instrument(), READOUTS, draw_poster, CAPTION)
