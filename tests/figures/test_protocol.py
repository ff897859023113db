"""The figure-module contract (figures_src.figure) and the Matplotlib helpers (plotting)."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from figures_src.figure import (
    FigureResult,
    FigureResultError,
    require_finite,
    svg_size,
    validate_result,
)
from figures_src.plotting import DARK, LIGHT, render_svgs

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s"></svg>'


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [(b"100", b"50", (100, 50)), (b"72pt", b"36pt", (96, 48)), (b"460.8pt", b"10px", (614, 10))],
)
def test_svg_size_in_css_pixels(width, height, size):
    assert svg_size(SVG % (width, height)) == size


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG % (b"100%", b"50"), "needs an absolute width"),
        (SVG % (b"10", b"0"), "has an empty size"),
        (b"<html/>", "root element is 'html'"),
        (b"<svg", "not well-formed XML"),
    ],
)
def test_svg_size_rejects(data, message):
    with pytest.raises(FigureResultError, match=message):
        svg_size(data)


def test_validate_result_reports_svg_sizes_and_checks_json():
    svg = SVG % (b"30", b"20")
    result = FigureResult({"light.svg": svg, "dark.svg": svg, "x.json": b"[1]"}, "alt", "cap")
    assert validate_result(result) == {
        "dark.svg": {"height": 20, "width": 30},
        "light.svg": {"height": 20, "width": 30},
        "x.json": {},
    }
    with pytest.raises(FigureResultError, match="x.json is not strict JSON"):
        validate_result(FigureResult({"x.json": b"[NaN]"}, "alt", "cap"))
    with pytest.raises(FigureResultError, match="differ in size"):
        validate_result(FigureResult({"light.svg": svg, "dark.svg": SVG % (b"3", b"2")}, "a", "c"))


def test_require_finite_names_the_array_and_the_positions():
    assert require_finite("ok", [1, 2]).dtype == np.float64
    with pytest.raises(
        ValueError, match=r"errors: 2 non-finite value\(s\) \(NaN/inf\) at \[\(1,\), \(3,\)\]"
    ):
        require_finite("errors", [1.0, math.nan, 2.0, math.inf])


def line_figure(values):
    def draw(theme):
        fig = Figure(figsize=(2, 1))
        fig.add_subplot().plot(values, color=theme.series[0], label="series")
        return fig

    return draw


def test_render_svgs_gives_two_themed_deterministic_svgs_without_metadata():
    first = render_svgs(line_figure([1, 3, 2]))
    second = render_svgs(line_figure([1, 3, 2]))
    assert first == second
    assert sorted(first) == ["dark.svg", "light.svg"]
    assert LIGHT.series[0].encode() in first["light.svg"]
    assert DARK.series[0].encode() in first["dark.svg"]
    assert b"<dc:date>" not in first["light.svg"] and b"Matplotlib v" not in first["light.svg"]
    assert svg_size(first["light.svg"]) == svg_size(first["dark.svg"]) == (192, 96)
    assert matplotlib.rcParams["svg.hashsalt"] is None  # defaults restored afterwards
    assert sorted(render_svgs(line_figure([1, 2]), prefix="poster-")) == [
        "poster-dark.svg",
        "poster-light.svg",
    ]


def test_render_svgs_refuses_nan_that_matplotlib_would_silently_drop():
    with pytest.raises(ValueError, match="NaN/inf in plotted data: Line2D 'series' in axes 0"):
        render_svgs(line_figure([1.0, math.nan, 2.0]))

    def bars(theme):
        fig = Figure()
        with np.errstate(invalid="ignore"):  # Matplotlib itself warns about inf geometry
            fig.add_subplot().bar([0, 1], [1.0, math.inf])
        return fig

    with pytest.raises(ValueError, match="NaN/inf in plotted data: Rectangle"):
        render_svgs(bars)
