"""MkDocs hook: the interactive instruments (logic in textbook.instruments.page).

- on_config: the instruments' stylesheet; their runtime (``instruments.js``) is loaded on demand
  (the scripts stage, textbook/site/scripts.py), and Plotly is not listed either: the runtime
  loads it when an instrument approaches the viewport.
- on_files: the smallest Plotly bundle covering the traces the instruments use (basic: bar,
  scatter) and its style rules as a file, both generated from ``node_modules``.
- on_page_content: fill each instrument stage with controls, posters and readouts from the
  figure module's meta; the figures hook has rendered and published the artifacts.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

import textbook.core.errors
import textbook.instruments.page as instruments

log = get_plugin_logger("instruments")
CSS = "assets/css/instruments.css"
JS = "assets/js/instruments.js"
PLOTLY_PACKAGE = "node_modules/plotly.js-basic-dist-min"
PLOTLY_FILE = "plotly-basic.min.js"
PLOTLY_URI = "assets/vendor/plotly/plotly-basic.min.js"
PLOTLY_CSS_URI = "assets/vendor/plotly/plotly.css"
FIGURES = "assets/figures"
_state: dict = {}


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config):
    _state.clear()
    _state["root"] = _root(config)
    if CSS not in config.extra_css:
        config.extra_css.append(CSS)
    return config


def on_files(files, config):
    root = _state["root"]
    bundle = root / PLOTLY_PACKAGE / PLOTLY_FILE
    if not bundle.is_file():
        raise PluginError(f"instruments: {bundle} is missing: run `npm ci` (or `make setup`)")
    try:
        css = instruments.plotly_css(bundle.read_text(encoding="utf-8"))
    except ValueError as error:
        raise PluginError(f"instruments: {bundle}: {error}") from None
    for uri in (PLOTLY_URI, PLOTLY_CSS_URI):
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"instruments: docs/{uri} exists but is generated: delete it")
    files.append(File.generated(config, PLOTLY_URI, abs_src_path=str(bundle)))
    files.append(File.generated(config, PLOTLY_CSS_URI, content=css))
    return files


def _assets(root: Path) -> dict[str, instruments.InstrumentAssets]:
    from textbook.figures import render  # the figures hook has put the project on sys.path

    found = {}
    for name, record in render.load_records(root / ".cache" / "figures").items():
        meta = record.meta.get("instrument")
        if meta is None:
            continue
        sizes = {
            file: (artifact.width, artifact.height)
            for file, artifact in record.artifacts.items()
            if artifact.width and artifact.height
        }
        found[name] = instruments.InstrumentAssets(name, meta, sizes, frozenset(record.artifacts))
    return found


def on_page_content(html, page, config, files):
    if "data-instrument-stage=" not in html:
        return html
    if "assets" not in _state:
        _state["assets"] = _assets(_state["root"])
    urls = instruments.Urls(
        figures=get_relative_url(FIGURES, page.url),
        plotly=get_relative_url(PLOTLY_URI, page.url),
        plotly_css=get_relative_url(PLOTLY_CSS_URI, page.url),
    )
    try:
        filled = instruments.fill_stages(html, _state["assets"], urls)
    except instruments.InstrumentError as error:
        where = f"docs/{page.file.src_uri}"
        source = Path(page.file.abs_src_path or "")
        if source.is_file():
            line = textbook.core.errors.find_name_line(
                source.read_text(encoding="utf-8"), error.name
            )
            where = f"{where}:{line}" if line else where
        raise PluginError(f"instruments: {where}: {error}") from None
    log.debug(f"{filled.count('data-instrument-stage=')} instruments on docs/{page.file.src_uri}")
    return filled
