"""The IoU worked example (EQ MM1.3): two unit boxes overlapping in an area of 0.5.

Built from ``kernels.iou`` only: the boxes, areas and IoU all come from the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from figures_src.figure import FigureResult, require_finite
from figures_src.kernels import iou as iou_kernel
from figures_src.plotting import Theme, chart_result

THRESHOLD = 0.5  # the conventional detection acceptance threshold


@dataclass(frozen=True)
class Example:
    box_a: tuple[float, float, float, float]
    box_b: tuple[float, float, float, float]
    area_a: float
    area_b: float
    intersection: float
    union: float
    iou: float

    @property
    def overlap_box(self) -> tuple[float, float, float, float]:
        a, b = self.box_a, self.box_b
        return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def compute() -> Example:
    box_a, box_b = iou_kernel.IOU_EXAMPLE_BOXES
    area_a = iou_kernel.box_area(box_a)
    area_b = iou_kernel.box_area(box_b)
    intersection = iou_kernel.intersection_area(box_a, box_b)
    value = iou_kernel.iou(box_a, box_b)
    require_finite("IoU example", [*box_a, *box_b, area_a, area_b, intersection, value])
    union = area_a + area_b - intersection
    return Example(tuple(box_a), tuple(box_b), area_a, area_b, intersection, union, value)


def _num(value: float) -> str:
    return f"{value:g}"


def _fraction(value: float) -> str:
    fraction = Fraction(value).limit_denominator(12)
    return (
        f"{fraction.numerator}/{fraction.denominator}"
        if abs(float(fraction) - value) < 1e-12
        else ""
    )


def describe(e: Example) -> tuple[str, str]:
    frac = _fraction(e.iou)
    verdict = "below" if e.iou < THRESHOLD else "at or above"
    hit = "does not count as a hit" if e.iou < THRESHOLD else "counts as a hit"
    alt = (
        f"Two boxes A and B of area {_num(e.area_a)} and {_num(e.area_b)}, offset so that they "
        f"overlap in a shaded region of area {_num(e.intersection)}. Their union has area "
        f"{_num(e.area_a)} + {_num(e.area_b)} − {_num(e.intersection)} = {_num(e.union)}, so "
        f"IoU = {_num(e.intersection)} / {_num(e.union)} = {e.iou:.3f}"
        + (f" ({frac})" if frac else "")
        + f". A gauge from 0 to 1 marks the IoU {verdict} the {_num(THRESHOLD)} detection "
        f"threshold, so the prediction {hit}."
    )
    caption = (
        f"The IoU worked example: intersection {_num(e.intersection)} over union "
        f"{_num(e.union)} gives IoU = {e.iou:.3f}, {verdict} the usual {_num(THRESHOLD)} "
        f"acceptance threshold."
    )
    return alt, caption


def _rect(box: tuple[float, float, float, float], **style: object) -> Rectangle:
    return Rectangle((box[0], box[1]), box[2] - box[0], box[3] - box[1], **style)


def draw(e: Example, theme: Theme) -> Figure:
    fig = Figure(figsize=(7.0, 3.3), layout="constrained")
    boxes, gauge = fig.subplots(1, 2, width_ratios=(1.5, 1.0))
    colour_a, colour_b, colour_i = theme.series[0], theme.series[1], theme.series[2]
    boxes.add_patch(_rect(e.box_a, facecolor=colour_a, alpha=0.16, linewidth=0))
    boxes.add_patch(_rect(e.box_b, facecolor=colour_b, alpha=0.16, linewidth=0))
    boxes.add_patch(
        _rect(
            e.overlap_box,
            facecolor=colour_i,
            alpha=0.55,
            linewidth=0,
            hatch="//",
            edgecolor=theme.paper,
        )
    )
    boxes.add_patch(_rect(e.box_a, fill=False, edgecolor=colour_a, linewidth=2.2))
    boxes.add_patch(_rect(e.box_b, fill=False, edgecolor=colour_b, linewidth=2.2, linestyle="--"))
    a, b, o = e.box_a, e.box_b, e.overlap_box
    only_a = ((a[0] + o[0]) / 2, (a[1] + a[3]) / 2)
    only_b = ((o[2] + b[2]) / 2, (b[1] + b[3]) / 2)
    boxes.text(
        *only_a,
        f"A\npredicted\narea {_num(e.area_a)}",
        color=colour_a,
        ha="center",
        va="center",
        fontsize=9,
    )
    boxes.text(
        *only_b,
        f"B\nground truth\narea {_num(e.area_b)}",
        color=colour_b,
        ha="center",
        va="center",
        fontsize=9,
    )
    boxes.text(
        (o[0] + o[2]) / 2,
        (o[1] + o[3]) / 2,
        f"A ∩ B\n{_num(e.intersection)}",
        ha="center",
        va="center",
        color=theme.ink,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.25", "facecolor": theme.paper, "edgecolor": "none"},
    )
    xmin, xmax = min(a[0], b[0]), max(a[2], b[2])
    ymin, ymax = min(a[1], b[1]), max(a[3], b[3])
    boxes.set_xlim(xmin - 0.05, xmax + 0.05)
    boxes.set_ylim(ymin - 0.3, ymax + 0.05)
    union = f"{_num(e.area_a)} + {_num(e.area_b)} − {_num(e.intersection)} = {_num(e.union)}"
    boxes.text(
        (xmin + xmax) / 2,
        ymin - 0.15,
        f"|A ∪ B| = {union}",
        ha="center",
        va="center",
        color=theme.ink,
    )
    boxes.set_aspect("equal")
    boxes.axis("off")

    hit = e.iou >= THRESHOLD
    gauge.barh([0], [1.0], height=0.5, color=theme.grid)
    gauge.barh([0], [e.iou], height=0.5, color=theme.series[0] if hit else theme.series[3])
    gauge.plot(
        [THRESHOLD, THRESHOLD], [-0.42, 0.42], color=theme.ink, linewidth=1.6, linestyle="--"
    )
    frac = _fraction(e.iou)
    gauge.text(
        0,
        0.42,
        f"IoU = {_num(e.intersection)} / {_num(e.union)} = {e.iou:.3f}"
        + (f" ({frac})" if frac else ""),
        va="bottom",
        color=theme.ink,
    )
    gauge.text(
        THRESHOLD,
        -0.42,
        f"threshold {_num(THRESHOLD)}",
        ha="center",
        va="top",
        color=theme.ink,
        fontsize=9,
    )
    gauge.set_xlim(0, 1)
    gauge.set_ylim(-0.9, 0.9)
    gauge.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "0.25", "0.5", "0.75", "1"])
    gauge.set_yticks([])
    gauge.spines["left"].set_visible(False)
    gauge.grid(False)
    gauge.set_box_aspect(0.55)
    verdict = "below the threshold: not a hit" if not hit else "at or above the threshold: a hit"
    gauge.set_title(verdict, color=theme.ink, fontsize=10)
    return fig


def build() -> FigureResult:
    example = compute()
    return chart_result(
        example,
        describe,
        draw,
        meta={"intersection": example.intersection, "iou": example.iou, "union": example.union},
    )
