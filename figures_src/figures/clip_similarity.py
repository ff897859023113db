"""INSTRUMENT MM1.3: one held-out image against five text prompts in the miniature CLIP.

The miniature CLIP of ``kernels.mini_clip`` (trained with seed 0) embeds ten held-out images,
the first two of each of five classes, and the prompts "a photo of a {label}".  For every
(image, temperature) pair the bars show the cosine similarities (``cosine_similarity_matrix``)
and the zero-shot distribution ``softmax(cosine / tau)``; lower tau is sharper.  The readouts
include the top cosine's lead over the runner-up: the gap, not the cosine's level, decides
the answer (the toy's matched cosines run higher than a real CLIP's, which are about 0.3).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from figures_src.figure import FigureResult, require_finite
from figures_src.figures import _instrument as shared
from figures_src.figures._instrument import Control, Instrument, Option, Readout, State
from figures_src.kernels import mini_clip
from figures_src.kernels.similarity import cosine_similarity_matrix, softmax
from figures_src.plotting import THEMES, Theme

NAME = "clip_similarity"
CAPTION = (
    "Cosine similarity and zero-shot probability of held-out images of the miniature "
    "CLIP against five prompts, for every temperature the control offers."
)
LABELS = ("red circle", "red square", "blue circle", "blue triangle", "green cross")
IMAGES_PER_LABEL = 2
TEMPLATE = mini_clip.DEFAULT_TEMPLATE
TEMPERATURES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
DEFAULT_TEMPERATURE = mini_clip.TEMPERATURE  # the temperature the model was trained with
THUMB_SCALE = 3  # 16 px images shown at 48 px in the picker
PLOT_SCALE = 4  # and stored at 64 px for the chart (drawn pixelated)


def prompts() -> tuple[str, ...]:
    return tuple(TEMPLATE.format(label) for label in LABELS)


def picked_images(trained: mini_clip.TrainedClip) -> list[int]:
    """Held-out indices: the first IMAGES_PER_LABEL held-out images of each label, in order."""
    data = trained.held_out
    picked = []
    for label in LABELS:
        matches = np.flatnonzero(data.labels == data.label_names.index(label))
        if len(matches) < IMAGES_PER_LABEL:
            raise ValueError(f"only {len(matches)} held-out images of {label!r}")
        picked += [int(i) for i in matches[:IMAGES_PER_LABEL]]
    return picked


def similarities(trained: mini_clip.TrainedClip, indices: list[int]) -> np.ndarray:
    """(images, prompts) cosine similarity of the picked held-out images and the prompts."""
    images = trained.embed_images(trained.held_out.images[indices])
    texts = trained.embed_texts(prompts())
    return require_finite("cosine similarities", cosine_similarity_matrix(images, texts))


def tau_label(tau: float) -> str:
    return f"τ = {tau:g}"


def percent(p: float) -> str:
    """A probability as a percentage with one decimal; below 0.05 % reads "<0.1%"."""
    return "<0.1%" if p < 0.0005 else f"{100 * p:.1f}%"


def lead_text(lead: float) -> str:
    """The top cosine minus the runner-up's, signed: "+0.39"."""
    return f"{lead:+.2f}"


def true_label(trained: mini_clip.TrainedClip, index: int) -> str:
    data = trained.held_out
    return data.label_names[int(data.labels[index])]


def controls(trained: mini_clip.TrainedClip, indices: list[int]) -> tuple[Control, ...]:
    return (
        Control(
            "image",
            "Held-out image",
            "radio",
            tuple(
                Option(str(i), f"{true_label(trained, i)} #{i}", image=f"thumb-{i}.png")
                for i in indices
            ),
            default=str(indices[0]),
        ),
        Control(
            "tau",
            "Temperature τ (lower = sharper)",
            "range",
            tuple(Option(f"{t:g}", tau_label(t)) for t in TEMPERATURES),
            default=f"{DEFAULT_TEMPERATURE:g}",
            hint="The softmax divides each cosine by τ before normalising.",
            ends=("sharper", "flatter"),
        ),
    )


READOUTS = (
    Readout("top_match", "Top match"),
    Readout("top_cosine", "Top cosine"),
    Readout("lead", "Lead over runner-up"),
    Readout("p_top", "Zero-shot P(top)"),
)


def compute_state(index: int, label: str, cosines: np.ndarray, tau: float, x_min: float) -> State:
    probabilities = softmax(cosines, temperature=tau)
    top = int(np.argmax(cosines))
    runner_up = float(np.sort(cosines)[-2])
    # Bar colour by role (1 = the top prompt); each palette maps roles to colours.
    roles = [1 if k == top else 0 for k in range(len(cosines))]
    data = [
        {"marker": {"color": roles}, "text": [f"{c:.2f}" for c in cosines], "x": cosines.tolist()},
        {
            "marker": {"color": roles},
            "text": [percent(p) for p in probabilities],
            "x": probabilities.tolist(),
        },
    ]
    layout = {
        "annotations": [
            {
                "text": f"held-out #{index}<br>true: {label}",
                "x": 0.5,
                "xref": "x3",
                "xanchor": "center",
                "y": 0,
                "yref": "y3",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 11},
            },
            {
                "text": "cosine similarity",
                "x": 0,
                "xref": "x domain",
                "xanchor": "left",
                "y": 1,
                "yref": "y domain",
                "yanchor": "bottom",
                "showarrow": False,
            },
            {
                "text": f"zero-shot P at {tau_label(tau)}",
                "x": 0,
                "xref": "x2 domain",
                "xanchor": "left",
                "y": 1,
                "yref": "y2 domain",
                "yanchor": "bottom",
                "showarrow": False,
            },
        ],
        "images": [
            {
                "source": {"$ref": f"image-{index}"},
                "x": 0,
                "y": 1,
                "sizex": 1,
                "sizey": 1,
                "xref": "x3",
                "yref": "y3",
                "xanchor": "left",
                "yanchor": "top",
                "sizing": "contain",
                "layer": "above",
            },
        ],
        "xaxis": {"range": [x_min, 1.22]},
    }
    order = np.argsort(-cosines, kind="stable")
    ranking = "; ".join(
        f"{prompts()[k]} {cosines[k]:.2f} ({percent(probabilities[k])})" for k in order
    )
    alt = (
        f"Bar charts for held-out image #{index} (a {label}): cosine similarity and zero-shot "
        f"probability at {tau_label(tau)} for five prompts, highest first: {ranking}."
    )
    return State(
        data=data,
        layout=layout,
        readouts={
            "p_top": percent(probabilities[top]),
            "top_cosine": f"{cosines[top]:.2f}",
            "lead": lead_text(cosines[top] - runner_up),
            "top_match": prompts()[top],
        },
        alt=alt,
    )


def base_figure() -> dict:
    labels = list(LABELS)
    categories = {
        "categoryarray": labels,
        "categoryorder": "array",
        "fixedrange": True,
        "range": [len(labels) - 0.5, -0.5],
        "type": "category",
    }
    bar = {
        "type": "bar",
        "orientation": "h",
        "y": labels,
        "textposition": "outside",
        "cliponaxis": False,
        "showlegend": False,
        "marker": {"cmin": 0, "cmax": 1},
    }
    data = [
        {**bar, "name": "cosine", "xaxis": "x", "yaxis": "y"},
        {**bar, "name": "zero-shot P", "xaxis": "x2", "yaxis": "y2"},
    ]
    hidden = {
        "fixedrange": True,
        "showgrid": False,
        "showline": False,
        "showticklabels": False,
        "ticks": "",
        "zeroline": False,
        "range": [0, 1],
    }
    layout = shared.base_layout(
        bargap=0.3,
        margin={"b": 36, "l": 8, "r": 36, "t": 24},
        showlegend=False,
        xaxis={"domain": [0.36, 0.64], "fixedrange": True, "zeroline": True, "tickformat": ".1f"},
        yaxis={**categories, "domain": [0, 0.93], "automargin": False},
        xaxis2={
            "anchor": "y2",
            "domain": [0.74, 0.97],
            "fixedrange": True,
            "range": [0, 1.18],
            "tickformat": ".0%",
            "tickvals": [0, 0.5, 1],
        },
        yaxis2={**categories, "anchor": "x2", "domain": [0, 0.93], "showticklabels": False},
        xaxis3={**hidden, "anchor": "y3", "domain": [0, 0.18]},
        yaxis3={**hidden, "anchor": "x3", "domain": [0.3, 0.9]},
    )
    return {"data": data, "layout": layout}


def themes() -> dict:
    patches = {}
    for theme in THEMES:
        bars = {
            "marker": {"colorscale": [[0, theme.series[4]], [1, theme.series[0]]]},
            "textfont": {"color": theme.ink},
        }
        patches[theme.name] = {
            "data": [bars, bars],
            "layout": shared.theme_layout(theme, ("xaxis", "yaxis", "xaxis2", "yaxis2")),
        }
    return patches


NARROW = shared.narrow_patch(
    margin={"b": 28, "l": 4, "r": 36, "t": 8},
    xaxis={"domain": [0.3, 0.9]},
    yaxis={"domain": [0.45, 0.7]},
    xaxis2={"domain": [0.3, 0.9]},
    yaxis2={"domain": [0.0, 0.3], "showticklabels": True},
    xaxis3={"domain": [0.3, 0.7]},
    yaxis3={"domain": [0.84, 1.0]},
)


def instrument() -> Instrument:
    trained = mini_clip.default_trained_clip()
    indices = picked_images(trained)
    cosines = similarities(trained, indices)
    # Room left of the most negative bar for its value label.
    x_min = min(0.0, float(np.floor(cosines.min() * 10) / 10) - 0.3)
    ctrl = controls(trained, indices)
    states = {}
    for row, index in enumerate(indices):
        for tau in TEMPERATURES:
            key = shared.state_key(ctrl, {"image": index, "tau": f"{tau:g}"})
            states[key] = compute_state(index, true_label(trained, index), cosines[row], tau, x_min)
    refs = {
        f"image-{i}": shared.data_uri(
            shared.png_bytes(
                shared.upscale(shared.to_uint8(trained.held_out.images[i]), PLOT_SCALE)
            )
        )
        for i in indices
    }
    built = Instrument(NAME, ctrl, READOUTS, base_figure(), themes(), states, NARROW, refs=refs)
    built.check()
    return built


def thumbnails(trained: mini_clip.TrainedClip, indices: list[int]) -> dict[str, bytes]:
    return {
        f"thumb-{i}.png": shared.png_bytes(
            shared.upscale(shared.to_uint8(trained.held_out.images[i]), THUMB_SCALE)
        )
        for i in indices
    }


def draw_poster(built: Instrument, theme: Theme, narrow: bool) -> Figure:
    trained = mini_clip.default_trained_clip()
    index = int(built.controls[0].default)
    tau = float(built.controls[1].default)
    row = picked_images(trained).index(index)
    cosines = similarities(trained, picked_images(trained))[row]
    probabilities = softmax(cosines, temperature=tau)
    top = int(np.argmax(cosines))
    state = built.states[shared.default_key(built.controls)]
    fig = Figure(figsize=(3.9, 6.0) if narrow else (7.2, 4.4))
    band = 0.22 if narrow else 0.3  # four readouts: two rows, so the caption fits its box
    items = [(r.label, state.readouts[r.name]) for r in READOUTS]
    shared.draw_readouts(
        fig,
        (0.02, 1 - band, 0.96, band - 0.01),
        items,
        theme,
        rows=(1, 3) if narrow else (2, 2),
        wrap=12 if narrow else 0,
    )
    if narrow:
        image_rect = (0.08, 0.6, 0.2, 0.13)
        cos_rect, p_rect = (0.3, 0.33, 0.58, 0.2), (0.3, 0.05, 0.58, 0.2)
    else:
        image_rect = (0.02, 0.22, 0.17, 0.4)
        cos_rect, p_rect = (0.36, 0.1, 0.26, 0.56), (0.72, 0.1, 0.24, 0.56)
    ax = fig.add_axes(image_rect)
    ax.imshow(
        shared.upscale(shared.to_uint8(trained.held_out.images[index]), PLOT_SCALE),
        interpolation="nearest",
    )
    ax.set_axis_off()
    caption = f"held-out #{index}\ntrue: {true_label(trained, index)}"
    if narrow:
        ax.text(
            1.15, 0.5, caption, fontsize=8.5, color=theme.ink, va="center", transform=ax.transAxes
        )
    else:
        ax.set_title(caption, fontsize=8.5, color=theme.ink, y=-0.32)
    positions = np.arange(len(LABELS))
    colours = [theme.series[0] if k == top else theme.series[4] for k in positions]
    x_min = float(built.states[shared.default_key(built.controls)].layout["xaxis"]["range"][0])
    for rect, values, text, title, limits in (
        (cos_rect, cosines, [f"{c:.2f}" for c in cosines], "cosine similarity", (x_min, 1.22)),
        (
            p_rect,
            probabilities,
            [percent(p) for p in probabilities],
            f"zero-shot P at {tau_label(tau)}",
            (0, 1.18),
        ),
    ):
        axis = fig.add_axes(rect)
        axis.set_axisbelow(True)
        axis.barh(positions, values, color=colours, height=0.7)
        for k, (value, label) in enumerate(zip(values, text, strict=True)):
            axis.annotate(
                label,
                (value, k),
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=8,
                color=theme.ink,
            )
        axis.set_yticks(
            positions, LABELS if (rect is cos_rect or narrow) else [""] * 5, fontsize=8.5
        )
        axis.invert_yaxis()
        axis.set_xlim(*limits)
        axis.axvline(0, color=theme.muted, linewidth=0.8)
        axis.grid(axis="y", visible=False)
        axis.tick_params(axis="x", labelsize=8)
        axis.set_title(title, fontsize=9, loc="left", color=theme.ink)
    return fig


def build() -> FigureResult:
    trained = mini_clip.default_trained_clip()
    indices = picked_images(trained)
    return shared.instrument_result(
        instrument(),
        READOUTS,
        draw_poster,
        CAPTION,
        check_every=5,
        extra_artifacts=thumbnails(trained, indices),
    )
