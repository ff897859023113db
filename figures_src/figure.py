"""The contract between a figure module and the render pipeline.

A figure module is ``figures_src/figures/<name>.py`` (``<name>`` matches ``[a-z][a-z0-9_]*``;
modules starting with ``_`` are helpers, not figures).  It defines::

    def build() -> FigureResult: ...

``build`` runs in a fresh subprocess (``python -m textbook.figures.worker <name> <out>``) and
returns named artifacts (bytes) plus the text around them.  Artifact names are flat file
names (``[a-z0-9][a-z0-9._-]*``); a static figure returns ``light.svg`` and ``dark.svg``
(see :func:`figures_src.plotting.render_svgs`), an instrument may add e.g. ``figure.json``
and ``poster-light.svg``/``poster-dark.svg``.  Every artifact is published at
``assets/figures/<name>/<artifact>``.

Inputs are tracked automatically: every module under the project root that the build
imported and every file it opened under the root (read data with :func:`data_path`) is
hashed, and the figure is rebuilt when one of them changes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
ARTIFACT_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(px|pt|)\s*\Z")
_PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": 96.0 / 72.0}


class FigureResultError(ValueError):
    """A figure module returned something the pipeline cannot publish."""


@dataclass(frozen=True)
class FigureResult:
    """What ``build()`` returns.

    ``alt`` describes what the figure shows, with the plotted values (computed from the data,
    not typed by hand); ``caption`` is one or two plain-text sentences (HTML-escaped when
    embedded).  ``meta`` is free JSON data for whoever embeds the artifacts (instruments).
    """

    artifacts: Mapping[str, bytes]
    alt: str
    caption: str
    meta: Mapping[str, Any] = field(default_factory=dict)


def data_path(name: str) -> Path:
    """Path of an input file in ``figures_src/data/``; raises if it does not exist."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"figure input {path} does not exist")
    return path


def require_finite(label: str, values: object) -> np.ndarray:
    """Return ``values`` as a float array, raising ValueError if any entry is NaN or infinite.

    Call it on every array a figure plots: Matplotlib silently drops NaN points.
    """
    import numpy as np  # here, so that importing this module stays cheap for the workers

    array = np.asarray(values, dtype=float)
    bad = ~np.isfinite(array)
    if bad.any():
        where = [tuple(int(i) for i in index) for index in np.argwhere(bad)[:5]]
        raise ValueError(f"{label}: {int(bad.sum())} non-finite value(s) (NaN/inf) at {where}")
    return array


def svg_size(data: bytes, label: str = "svg") -> tuple[int, int]:
    """Parse an SVG document and return its (width, height) in CSS pixels."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise FigureResultError(f"{label} is not well-formed XML: {error}") from None
    if root.tag != f"{_SVG_NS}svg":
        raise FigureResultError(f"{label} root element is {root.tag!r}, not an SVG <svg>")
    size = []
    for attribute in ("width", "height"):
        match = _LENGTH.match(root.get(attribute, ""))
        if not match:
            raise FigureResultError(
                f"{label} needs an absolute {attribute} (px or pt), got {root.get(attribute)!r}"
            )
        size.append(round(float(match.group(1)) * _PX_PER_UNIT[match.group(2)]))
    if min(size) <= 0:
        raise FigureResultError(f"{label} has an empty size {size}")
    return size[0], size[1]


def _strict_json(value: object, label: str) -> None:
    try:
        json.dumps(value, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise FigureResultError(f"{label} is not strict JSON data: {error}") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name}")


def validate_result(result: object) -> dict[str, dict[str, int]]:
    """Check a ``build()`` return value; return per-artifact info (SVG width/height in px)."""
    if not isinstance(result, FigureResult):
        raise FigureResultError(
            f"build() must return figures_src.figure.FigureResult, got {type(result).__name__}"
        )
    for attribute in ("alt", "caption"):
        text = getattr(result, attribute)
        if not isinstance(text, str) or not text.strip():
            raise FigureResultError(f"FigureResult.{attribute} must be a non-empty string")
    _strict_json(dict(result.meta), "FigureResult.meta")
    if not isinstance(result.artifacts, Mapping) or not result.artifacts:
        raise FigureResultError("FigureResult.artifacts must be a non-empty mapping")
    info: dict[str, dict[str, int]] = {}
    for name, data in result.artifacts.items():
        if not isinstance(name, str) or not ARTIFACT_NAME.match(name):
            raise FigureResultError(f"artifact name {name!r} must match {ARTIFACT_NAME.pattern}")
        if not isinstance(data, bytes) or not data:
            raise FigureResultError(f"artifact {name} must be non-empty bytes")
        info[name] = {}
        if name.endswith(".svg"):
            width, height = svg_size(data, f"artifact {name}")
            info[name] = {"height": height, "width": width}
        elif name.endswith(".json"):
            try:
                json.loads(data, parse_constant=_reject_constant)
            except ValueError as error:
                raise FigureResultError(f"artifact {name} is not strict JSON: {error}") from None
    for name in info:
        if name.endswith("light.svg"):
            dark = name[: -len("light.svg")] + "dark.svg"
            if dark not in info:
                raise FigureResultError(f"artifact {name} has no {dark} counterpart")
            if info[dark] != info[name]:
                raise FigureResultError(f"artifacts {name} and {dark} differ in size")
    return info
