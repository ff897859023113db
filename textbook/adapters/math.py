"""MkDocs hook: typeset math at build time with KaTeX; the page ships no math JavaScript.

Thin adapter over `textbook.math.katex` (the node renderer + disk cache) and `textbook.math.page`
(page rewriting, error location, assets). Per build: one renderer, started lazily (a warm
rebuild served from `.cache/katex/` next to mkdocs.yml never starts node), stopped after the
build. KaTeX's stylesheet and woff2 fonts come from node_modules as generated files under
`assets/katex/`; nothing is written into docs/. Typesetting happens in `on_post_page`, so the
search index keeps the readable TeX. Bad TeX fails the build naming `file.md:line`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File

import textbook.math.fonts as mathfonts
import textbook.math.katex as katex
import textbook.math.page as mathpage
from textbook.core.cache import Cache

log = get_plugin_logger("math")
PROJECT = Path(__file__).resolve().parents[2]
KATEX_DIR = PROJECT / "node_modules" / "katex"
MATH_CSS = "assets/css/math.css"


class _Build:
    dirty = False  # `--dirty` builds only the changed pages: keep the cache whole
    renderer: katex.KatexRenderer | None = None
    css = ""
    fonts_cache: Cache | None = None
    formulas = 0
    seconds = 0.0


state = _Build()


def _stop() -> None:
    if state.renderer is not None:
        state.renderer.close()
        state.renderer = None


def on_startup(command, dirty):
    state.dirty = dirty


def on_config(config):
    _stop()
    config_dir = Path(config.config_file_path).resolve().parent
    try:
        css_file = KATEX_DIR / "dist" / "katex.min.css"
        state.css = mathfonts.stylesheet(css_file.read_text(encoding="utf-8"))
        state.renderer = katex.KatexRenderer(PROJECT, cache_dir=config_dir / ".cache" / "katex")
        state.fonts_cache = Cache(config_dir / ".cache" / "katex" / "fonts", what="fonts entry")
    except FileNotFoundError as err:
        raise PluginError(f"math: {err.filename} missing: {katex.SETUP_HINT}") from None
    except (katex.KatexError, ValueError) as err:
        raise PluginError(f"math: {err}") from None
    state.formulas, state.seconds = 0, 0.0
    if (Path(config.docs_dir) / MATH_CSS).is_file() and MATH_CSS not in config.extra_css:
        config.extra_css.append(MATH_CSS)
    return config


def on_files(files, config):
    files.append(File.generated(config, mathpage.STYLESHEET, content=state.css))
    for site_path, font in mathfonts.font_assets(KATEX_DIR):
        files.append(File.generated(config, site_path, abs_src_path=str(font)))
    return files


def on_post_page(output: str, page, config) -> str:
    assert state.renderer is not None, "math hook: on_config did not run"
    started = time.perf_counter()
    file = page.file
    config_dir = os.path.dirname(os.path.abspath(config.config_file_path))
    path = os.path.relpath(file.abs_src_path, config_dir) if file.abs_src_path else file.src_uri
    try:
        source = file.content_string
        mathpage.check_headings(_titles(page.toc), source, path)
        output, formulas, rendered = mathpage.typeset_page(output, state.renderer, source, path)
        if formulas:
            fonts = mathfonts.fonts_used(rendered, state.css, state.fonts_cache)
            output = mathpage.inject_head(output, mathpage.head_links(page.url, fonts))
    except mathpage.MathError as err:
        raise PluginError(str(err)) from None
    except (katex.KatexError, ValueError) as err:
        raise PluginError(f"{path}: {err}") from None
    state.formulas += len(formulas)
    state.seconds += time.perf_counter() - started
    return output


def _titles(toc) -> list[str]:
    return [t for item in toc for t in (item.title, *_titles(item.children))]


def on_post_build(config) -> None:
    renderer = state.renderer
    if renderer is not None:
        log.info(
            f"{state.formulas} formulas, {renderer.rendered} rendered, "
            f"{renderer.cached} cached ({state.seconds:.2f} s)"
        )
        if renderer.cache is not None and not state.dirty:
            stale = renderer.cache.prune()  # formulas no page has any more
            if stale:
                log.info(f"removed {len(stale)} cached formulas no page uses any more")
        if state.fonts_cache is not None and not state.dirty:
            state.fonts_cache.prune()  # font lists of pages whose math changed
    _stop()


def on_build_error(error: Exception) -> None:
    _stop()


def on_shutdown() -> None:
    _stop()
