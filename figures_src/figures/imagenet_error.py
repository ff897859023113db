"""ImageNet top-5 error of the winning ideas, 2012-2015 (section 1.2).

Data: ``figures_src/data/imagenet_top5.csv`` (model, year, top5_error_percent, idea).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from matplotlib.figure import Figure

from figures_src.figure import FigureResult, data_path, require_finite
from figures_src.plotting import Theme, render_svgs

DATA_FILE = "imagenet_top5.csv"
COLUMNS = ["model", "year", "top5_error_percent", "idea"]


@dataclass(frozen=True)
class Entry:
    model: str
    year: int
    error: float


def load_entries() -> list[Entry]:
    """Rows of the CSV in chronological order (file order breaks ties within a year)."""
    path = data_path(DATA_FILE)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path}: expected columns {COLUMNS}, got {reader.fieldnames}")
        rows = list(reader)
    if not rows:
        raise ValueError(f"{path}: no rows")
    errors = require_finite(
        f"{path} top5_error_percent", [row["top5_error_percent"] for row in rows]
    )
    entries = [
        Entry(row["model"], int(row["year"]), float(error))
        for row, error in zip(rows, errors, strict=True)
    ]
    return sorted(entries, key=lambda entry: entry.year)


def _percent(value: float) -> str:
    return f"{value:g}%"


def describe(entries: list[Entry]) -> tuple[str, str]:
    """(alt, caption) stating the plotted values."""
    first, last = entries[0], entries[-1]
    points = "; ".join(f"{e.model} ({e.year}) {_percent(e.error)}" for e in entries)
    ratio = first.error / last.error
    alt = (
        f"Bar chart of ImageNet top-5 error by model, in order of year: {points}. "
        f"The error falls from {_percent(first.error)} to {_percent(last.error)}, "
        f"{ratio:.1f} times lower, in {last.year - first.year} years."
    )
    caption = (
        f"ImageNet (ILSVRC) top-5 error of the landmark networks, {first.year}–{last.year}: "
        f"each new idea cut the error further, from {_percent(first.error)} with {first.model} "
        f"to {_percent(last.error)} with {last.model}."
    )
    return alt, caption


def draw(entries: list[Entry], theme: Theme) -> Figure:
    fig = Figure(figsize=(7.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    positions = list(range(len(entries)))
    errors = [entry.error for entry in entries]
    bars = ax.bar(positions, errors, width=0.6, color=theme.series[0])
    ax.bar_label(bars, labels=[_percent(e) for e in errors], padding=3, color=theme.ink)
    ax.set_xticks(positions, [f"{e.model}\n{e.year}" for e in entries])
    ax.set_ylabel("Top-5 error (%)")
    ax.set_ylim(0, max(errors) * 1.18)
    ax.grid(axis="x", visible=False)
    ax.set_axisbelow(True)
    return fig


def build() -> FigureResult:
    entries = load_entries()
    alt, caption = describe(entries)
    return FigureResult(
        artifacts=render_svgs(lambda theme: draw(entries, theme)),
        alt=alt,
        caption=caption,
        meta={"points": [[e.model, e.year, e.error] for e in entries]},
    )
