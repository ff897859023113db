"""ImageNet top-5 error of the landmark networks' ILSVRC entries, 2012-2015 (section 1.2).

Data: ``figures_src/data/imagenet_top5.csv`` (model, year, ilsvrc_entry_top5_error_percent,
networks_in_entry, idea).  The errors are the teams' competition entries on the test set, each
an ensemble of several networks, not single models (a single network scored worse).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from matplotlib.figure import Figure

from figures_src.figure import FigureResult, data_path, require_finite
from figures_src.plotting import Theme, chart_result

DATA_FILE = "imagenet_top5.csv"
ERROR = "ilsvrc_entry_top5_error_percent"
COLUMNS = ["model", "year", ERROR, "networks_in_entry", "idea"]


@dataclass(frozen=True)
class Entry:
    model: str
    year: int
    error: float
    networks: int  # how many networks the competition entry averaged


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
    errors = require_finite(f"{path} {ERROR}", [row[ERROR] for row in rows])
    entries = [
        Entry(row["model"], int(row["year"]), float(error), int(row["networks_in_entry"]))
        for row, error in zip(rows, errors, strict=True)
    ]
    if any(entry.networks < 1 for entry in entries):
        raise ValueError(f"{path}: networks_in_entry must be at least 1")
    return sorted(entries, key=lambda entry: entry.year)


def _percent(value: float) -> str:
    return f"{value:g}%"


def describe(entries: list[Entry]) -> tuple[str, str]:
    """(alt, caption) stating the plotted values."""
    first, last = entries[0], entries[-1]
    points = "; ".join(
        f"{e.model} ({e.year}) {_percent(e.error)}, an ensemble of {e.networks}" for e in entries
    )
    ratio = first.error / last.error
    alt = (
        f"Bar chart of the ImageNet top-5 error of each team's ILSVRC entry, in order of year: "
        f"{points}. "
        f"The error falls from {_percent(first.error)} to {_percent(last.error)}, "
        f"{ratio:.1f} times lower, in {last.year - first.year} years."
    )
    fewest = min(e.networks for e in entries)
    most = max(e.networks for e in entries)
    caption = (
        f"ImageNet (ILSVRC) top-5 test error of the landmark networks' competition entries, "
        f"{first.year}–{last.year}, each an ensemble of {fewest} to {most} networks (a single "
        f"network scored worse): each new idea cut the error further, from "
        f"{_percent(first.error)} with {first.model} to {_percent(last.error)} with {last.model}."
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
    ax.set_ylabel("Top-5 error, ILSVRC entry (%)")
    ax.set_ylim(0, max(errors) * 1.18)
    ax.grid(axis="x", visible=False)
    ax.set_axisbelow(True)
    return fig


def build() -> FigureResult:
    entries = load_entries()
    return chart_result(
        entries,
        describe,
        draw,
        meta={"points": [[e.model, e.year, e.error] for e in entries]},
    )
