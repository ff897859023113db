"""Instruments in the page: controls, posters and readouts around a precomputed figure.

The Markdown extension writes, for ``/// instrument`` with ``id:`` and ``name:``::

    <figure class="tb-instrument" data-instrument="NAME" id="ID"><div class="tb-instrument__head">
    ...</div><div class="tb-instrument__stage" data-instrument-stage="NAME"></div>...

:func:`fill_stages` replaces each empty stage with labelled controls (disabled until the
front end has the state table), a light and a dark poster of the default state (wide and
narrow, via ``<picture>``) and the readouts in an ``aria-live`` region.  The instrument's
figure module supplies everything through ``meta["instrument"]`` (see
``figures_src/figures/_instrument.py``); nothing here computes a value.

Also here: :func:`plotly_css`, Plotly's own style rules lifted from its bundle so they can be
served as a file (a ``style-src 'self'`` policy blocks the ``<style>`` Plotly would inject).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from textbook.core.errors import unknown_module

FORMAT = 1
THEMES = ("light", "dark")
FIGURE_OPEN = re.compile(
    r'<figure class="tb-instrument" data-instrument="(?P<name>[^"<>]*)" id="(?P<id>[^"<>]*)">'
)
STAGE = re.compile(
    r'<div class="tb-instrument__stage" data-instrument-stage="(?P<name>[^"<>]*)">\s*</div>'
)
LEFTOVER = re.compile(r'<div\b[^>]*\bdata-instrument-stage="(?P<name>[^"]*)"[^>]*>\s*</div>')


class InstrumentError(Exception):
    """A stage cannot be filled; ``name`` is the instrument it asked for."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


@dataclass(frozen=True)
class InstrumentAssets:
    """What the page needs of one rendered instrument (built from a render.FigureRecord)."""

    name: str
    meta: Mapping[str, Any]  # the figure module's meta["instrument"]
    sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # svg -> (w, h)
    artifacts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Urls:
    """Page-relative URLs: the figures folder and the two Plotly files."""

    figures: str  # e.g. ../assets/figures
    plotly: str
    plotly_css: str


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _require(assets: InstrumentAssets) -> Mapping[str, Any]:
    meta = assets.meta
    if not isinstance(meta, Mapping) or meta.get("format") != FORMAT:
        raise InstrumentError(
            assets.name,
            f"figures_src/figures/{assets.name}.py is not an instrument (its FigureResult.meta "
            f"needs 'instrument' with format {FORMAT}; build it with figures/_instrument.py)",
        )
    needed = ["figure.json"] + [
        f"poster-{width}{theme}.svg" for width in ("", "narrow-") for theme in THEMES
    ]
    missing = [name for name in needed if name not in assets.artifacts]
    if missing:
        raise InstrumentError(assets.name, f"instrument {assets.name!r} lacks artifacts {missing}")
    return meta


def _control_html(uid: str, control: Mapping[str, Any], image_base: str) -> str:
    name, kind, label = control["name"], control["kind"], control["label"]
    options, default = control["options"], control["default"]
    cid = f"{uid}-{name}"
    hint_id = f"{cid}-hint"
    hint = (
        f'<p class="tb-control__hint" id="{hint_id}">{_e(control["hint"])}</p>'
        if control.get("hint")
        else ""
    )
    described = f' aria-describedby="{hint_id}"' if hint else ""
    if kind == "range":
        index = next(i for i, o in enumerate(options) if o["value"] == default)
        current = options[index]["label"]
        ends = ""
        if control.get("ends"):
            low, high = control["ends"]
            ends = (
                f'<span class="tb-control__ends" aria-hidden="true"><span>← {_e(low)}</span>'
                f"<span>{_e(high)} →</span></span>"
            )
        return (
            f'<div class="tb-control tb-control--range">'
            f'<label class="tb-control__label" for="{cid}">{_e(label)}</label>'
            f'<input type="range" id="{cid}" data-control="{_e(name)}" min="0" '
            f'max="{len(options) - 1}" step="1" value="{index}" aria-valuetext="{_e(current)}"'
            f"{described}>"
            f'<output class="tb-control__value" for="{cid}" data-output="{_e(name)}">'
            f"{_e(current)}</output>{ends}{hint}</div>"
        )
    if kind == "select":
        items = "".join(
            f'<option value="{_e(o["value"])}"{" selected" if o["value"] == default else ""}>'
            f"{_e(o['label'])}</option>"
            for o in options
        )
        return (
            f'<div class="tb-control tb-control--select">'
            f'<label class="tb-control__label" for="{cid}">{_e(label)}</label>'
            f'<select id="{cid}" data-control="{_e(name)}"{described}>{items}</select>{hint}</div>'
        )
    if kind == "radio":
        items = []
        for option in options:
            oid = f"{cid}-{re.sub(r'[^a-z0-9]+', '-', option['value'].lower()).strip('-')}"
            checked = " checked" if option["value"] == default else ""
            image = ""
            text = _e(option["label"])
            if option.get("image"):
                image = (
                    f'<img src="{_e(image_base)}/{_e(option["image"])}" width="48" height="48" '
                    f'alt="" loading="lazy" decoding="async">'
                )
                text = f'<span class="tb-choice__text">{text}</span>'
            items.append(
                f'<span class="tb-choice{" tb-choice--image" if image else ""}">'
                f'<input type="radio" id="{oid}" name="{cid}" value="{_e(option["value"])}"'
                f"{checked}>"
                f'<label for="{oid}">{image}{text}</label></span>'
            )
        return (
            f'<fieldset class="tb-control tb-control--radio" data-control="{_e(name)}"'
            f"{described}>"
            f'<legend class="tb-control__label">{_e(label)}</legend>'
            f'<span class="tb-control__choices">{"".join(items)}</span>{hint}</fieldset>'
        )
    raise InstrumentError(control["name"], f"unknown control kind {kind!r}")


def _poster_html(name: str, meta: Mapping[str, Any], assets: InstrumentAssets, base: str) -> str:
    pictures = []
    for theme in THEMES:
        wide, narrow = f"poster-{theme}.svg", f"poster-narrow-{theme}.svg"
        width, height = assets.sizes.get(wide, (0, 0))
        n_width, n_height = assets.sizes.get(narrow, (0, 0))
        if not (width and height and n_width and n_height):
            raise InstrumentError(name, f"instrument {name!r}: its posters have no size")
        pictures.append(
            f'<picture class="tb-instrument__poster tb-instrument__poster--{theme}">'
            f'<source media="{_e(meta["narrow_media"])}" srcset="{_e(base)}/{narrow}" '
            f'width="{n_width}" height="{n_height}">'
            f'<img src="{_e(base)}/{wide}" width="{width}" height="{height}" '
            f'alt="{_e(meta["alt"])}" loading="lazy" decoding="async"></picture>'
        )
    return "".join(pictures)


def stage_html(uid: str, title: str, assets: InstrumentAssets, urls: Urls) -> str:
    """The filled stage of instrument ``assets.name`` placed with anchor ``uid``."""
    meta = _require(assets)
    name = assets.name
    base = f"{urls.figures.rstrip('/')}/{name}"
    controls = "".join(_control_html(uid, c, base) for c in meta["controls"])
    readouts = "".join(
        f'<div class="tb-readout"><dt>{_e(display_label(r["label"]))}</dt>'
        f'<dd data-readout="{_e(r["name"])}">{_e(r["value"])}</dd></div>'
        for r in meta["readouts"]
    )
    return (
        f'<div class="tb-instrument__stage" data-instrument-stage="{_e(name)}" '
        f'data-src="{_e(base)}/figure.json" data-plotly="{_e(urls.plotly)}" '
        f'data-plotly-css="{_e(urls.plotly_css)}">'
        f'<div class="tb-instrument__controls" role="group" aria-label="{_e(title)}: controls">'
        f'<fieldset class="tb-instrument__fieldset" disabled>{controls}</fieldset></div>'
        f'<div class="tb-instrument__chart">{_poster_html(name, meta, assets, base)}</div>'
        f'<dl class="tb-instrument__readouts" aria-live="polite" aria-atomic="true">'
        f"{readouts}</dl></div>"
    )


def display_label(label: str) -> str:
    """Readout labels are set in capitals, except the name "ViT" (as on the posters)."""
    return label.upper().replace("VIT", "ViT")


_TAG = re.compile(r"<[^>]+>")


def _title(head: str, uid: str) -> str:
    label = re.search(r'class="tb-instrument__label"[^>]*>(.*?)</a>', head, re.S)
    text = _TAG.sub("", label.group(1)) if label else uid
    return html.unescape(text).strip() or uid


def fill_stages(page_html: str, instruments: Mapping[str, InstrumentAssets], urls: Urls) -> str:
    """Fill every instrument stage of a page; raise InstrumentError for unknown names."""
    out: list[str] = []
    position = 0
    for match in FIGURE_OPEN.finditer(page_html):
        name, uid = html.unescape(match["name"]), match["id"]
        stage = STAGE.search(page_html, match.end())
        if stage is None or html.unescape(stage["name"]) != name:
            raise InstrumentError(name, f"instrument {uid!r} has no empty stage for {name!r}")
        assets = instruments.get(name)
        if assets is None:
            message = unknown_module("instrument", name, instruments, " (an instrument module)")
            raise InstrumentError(name, message)
        title = _title(page_html[match.end() : stage.start()], uid)
        out.append(page_html[position : stage.start()])
        out.append(stage_html(uid, title, assets, urls))
        position = stage.end()
    out.append(page_html[position:])
    filled = "".join(out)
    leftover = LEFTOVER.search(filled)
    if leftover:
        raise InstrumentError(
            leftover["name"],
            f"instrument stage for {leftover['name']!r} outside a "
            f'<figure class="tb-instrument" ...> (write it with the /// instrument block)',
        )
    return filled


# --- Plotly's style rules ------------------------------------------------------------------

_RULES_START = '{"X,X div":'
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_KEY = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_$][\w$]*)\s*:\s*')


def _js_string(literal: str) -> str:
    body = literal[1:-1].replace("\\'", "'").replace('\\"', '"').replace('"', '\\"')
    return json.loads('"' + body + '"')


def plotly_css(bundle: str) -> str:
    """Plotly's global style rules (from its minified bundle) as a stylesheet.

    Plotly keeps them in one object literal of selector -> declarations, with ``X`` standing
    for ``.js-plotly-plot .plotly`` and ``Y`` for ``.plotly-notifier``, and inserts each at
    the top of a ``<style>`` sheet: the file lists them in that (reversed) order, so the
    cascade is the one Plotly would produce.  Raises ValueError if the bundle has no such
    object (another Plotly version: look at ``src/css`` of the bundle).
    """
    start = bundle.find(_RULES_START)
    if start < 0:
        raise ValueError(f"no style-rule object ({_RULES_START}...) in the Plotly bundle")
    rules: list[tuple[str, str]] = []
    position = start + 1
    while True:
        key = _KEY.match(bundle, position)
        if key is None:
            raise ValueError(f"cannot read Plotly's style rules at offset {position}")
        raw_key = key.group(1)
        selector = _js_string(raw_key) if raw_key[0] in "\"'" else raw_key
        value = _STRING.match(bundle, key.end())
        if value is None:
            raise ValueError(f"cannot read the declarations of {selector!r} in Plotly's rules")
        rules.append((selector, _js_string(value.group(0))))
        position = value.end()
        if bundle[position] == "}":
            break
        if bundle[position] != ",":
            raise ValueError(f"unexpected {bundle[position]!r} in Plotly's style rules")
        position += 1
    if len(rules) < 10:
        raise ValueError(f"only {len(rules)} style rules found in the Plotly bundle")
    lines = ["/* Plotly.js global style rules, extracted from its bundle at build time. */"]
    for selector, declarations in reversed(rules):
        full = re.sub(r"^,", " ,", selector)
        full = full.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        lines.append(f"{full}{{{declarations}}}")
    return "\n".join(lines) + "\n"
