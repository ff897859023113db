"""Stage adapter: what the first paint waits for (logic in `textbook.site.stylesheet`,
`textbook.site.critical` and `textbook.site.previews`).

- on_files, last (-100, after every stage has listed its CSS and generated its files): join
  the local `extra_css` files and KaTeX's stylesheet into `assets/css/textbook.bundle.css`, and
  link that one file instead of them.
- on_post_page (-55), after the math stage has written its head links and before instant:
  drop the KaTeX `<link>` it wrote, the rules being in the bundle now, and its preloads of
  fonts that no formula laid out at load uses; and move the cross-reference previews' content
  into a JSON file beside the page, which `anchors.js` fetches on a reader's first hover,
  focus or tap of a reference.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

import textbook.math.page as mathpage
import textbook.site.critical as critical
import textbook.site.previews as previews
import textbook.site.stylesheet as stylesheet
from textbook.core.cache import Cache
from textbook.core.files import write_atomic

_bundled: list[str] = []
_katex: dict = {"css": "", "cache": None, "dirty": False}


def on_startup(command, dirty):
    _katex["dirty"] = dirty  # `--dirty` builds only the changed pages: keep the cache whole


def on_files(files, config):
    sources, kept, first = [], [], None
    for href in config.extra_css:
        file = files.get_file_from_path(href) if stylesheet.is_local(href) else None
        if href == stylesheet.BUNDLE or file is None:
            kept.append(href)
            continue
        sources.append((href, file.content_string))
        if first is None:
            first = len(kept)
            kept.append(stylesheet.BUNDLE)
    katex = files.get_file_from_path(mathpage.STYLESHEET)
    _katex["css"] = katex.content_string if katex is not None else ""
    root = Path(config.config_file_path).resolve().parent
    _katex["cache"] = Cache(root / ".cache" / "critical", what="fonts-at-load entry")
    if katex is not None:
        sources.append((mathpage.STYLESHEET, _katex["css"]))
    _bundled[:] = [path for path, _ in sources]
    if not sources:
        return files
    try:
        css = stylesheet.join(sources)
    except stylesheet.StylesheetError as error:
        raise PluginError(f"stylesheet: {error}") from None
    if first is None:
        kept.append(stylesheet.BUNDLE)
    config.extra_css[:] = list(dict.fromkeys(kept))
    existing = files.get_file_from_path(stylesheet.BUNDLE)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, stylesheet.BUNDLE, content=css))
    return files


def on_post_page(output, page, config):
    output = stylesheet.unlink(output, _bundled)
    if _katex["css"] and '<link rel="preload"' in output:
        fonts = critical.fonts_at_load(output, _katex["css"], _katex["cache"])
        output = critical.keep_font_preloads(output, fonts)
    try:
        output, fragment = previews.split(output, page.file.dest_uri)
    except ValueError as error:
        raise PluginError(f"first paint: {error}") from None
    if fragment is not None:
        target = Path(config.site_dir) / previews.fragment_uri(page.file.dest_uri)
        write_atomic(target, fragment.encode("utf-8"))
    return output


def on_post_build(config):
    if _katex["cache"] is not None and not _katex["dirty"]:
        _katex["cache"].prune()  # entries of pages as they no longer are
