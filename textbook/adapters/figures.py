"""MkDocs hook: render the figure modules and put the figures into the pages.

Thin adapter over ``textbook.figures.render`` (cache + subprocess rendering) and
``textbook.figures.embed`` (placeholder replacement).  Nothing is written into ``docs/``: the
cached artifacts are added as generated files at ``assets/figures/<name>/<artifact>``.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

import textbook.core.errors
import textbook.figures.embed as embed
import textbook.figures.render as render
import textbook.pipeline

log = get_plugin_logger("figures")
CSS = "assets/css/figures.css"
ASSETS = "assets/figures"
_records: dict = {}


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if CSS not in config.extra_css:
        config.extra_css.append(CSS)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _records.clear()
    try:
        records = render.render_all(
            _root(config), timeout=textbook.pipeline.settings.figure_timeout
        )
    except render.FigureBuildError as error:
        for failure in error.failures:
            log.error(f"{failure.location} raised:\n{failure.traceback.rstrip()}")
        raise PluginError(
            f"{error}: fix the figure module (traceback above); its last good assets are kept"
        ) from None
    except (OSError, ValueError) as error:
        raise PluginError(f"figures: {error}") from None
    for name, record in records.items():
        for file, artifact in record.artifacts.items():
            uri = f"{ASSETS}/{name}/{file}"
            if files.get_file_from_path(uri) is not None:
                raise PluginError(
                    f"{config.docs_dir}/{uri} clashes with a generated figure; delete it "
                    f"(figures are built from figures_src/figures/{name}.py)"
                )
            files.append(File.generated(config, uri, abs_src_path=str(artifact.path)))
    _records.update(records)
    return files


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if "data-figure=" not in html:
        return html
    try:
        return embed.replace_placeholders(html, _records, get_relative_url(ASSETS, page.url))
    except embed.FigureEmbedError as error:
        source = Path(page.file.abs_src_path or "")
        where = source.relative_to(_root(config)) if source.is_file() else page.file.src_uri
        if source.is_file():
            line = textbook.core.errors.find_name_line(
                source.read_text(encoding="utf-8"), error.name
            )
            where = f"{where}:{line}" if line else where
        raise PluginError(f"{where}: {error}") from None
