"""MkDocs hook: runnable Python cells (logic in textbook.cells.run / .notebook / .cells_assets).

- on_files (priority 100, before mkdocs-jupyter): bundle the front end, add it and the
  self-hosted Pyodide as generated files, run every cell the pages place (cached), and add one
  generated companion notebook per page with cells (rendered by mkdocs-jupyter).
- on_page_content: replace each cell placeholder with the widget (code + build-time output).
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path

import pathspec
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

import textbook.cells.assets as assets
import textbook.cells.notebook as notebook
import textbook.cells.notebook_page as notebook_page
import textbook.cells.output_cap as output_cap
import textbook.cells.run as cells
import textbook.cells.widget as widget
import textbook.pipeline
from textbook.core.cache import Cache


def settings() -> textbook.pipeline.Settings:
    return textbook.pipeline.settings


log = get_plugin_logger("cells")
PROJECT = Path(__file__).resolve().parents[2]  # js/cells, node_modules, vendored Pyodide
_build: dict = {}
_dirty = {"on": False}  # `--dirty` builds only the changed pages: keep the caches whole


def on_startup(command, dirty):
    _dirty["on"] = dirty


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    _build.update(root=root, cache=root / ".cache" / "cells", pages={}, results={}, notebooks={})
    cache = _build["cache"]
    _build["highlight"] = Cache(cache / "highlight", ".html", "highlighted code cache entry")
    _build["notebook_cache"] = Cache(cache / "notebooks", ".ipynb", "notebook cache entry")
    _build["output_limit"] = settings().cell_output_limit
    # mkdocs-jupyter wraps our File (losing its `inclusion`): say it through `not_in_nav`.
    uris = notebook.notebook_uris(Path(config.docs_dir), cells.mentions_cells)
    if uris:
        extra = pathspec.GitIgnoreSpec.from_lines(f"/{uri}" for uri in uris)
        config.not_in_nav = config.not_in_nav + extra if config.not_in_nav else extra
    config.extra_css.append(f"{assets.SITE_DIR}/cells.css")
    return config


def _add(files, config, uri: str, path: Path) -> File:
    if files.get_file_from_path(uri) is not None:
        raise PluginError(f"cells: docs/{uri} exists but the cells hook generates it: remove it")
    f = File.generated(config, uri, abs_src_path=str(path))
    files.append(f)
    return f


def on_files(files, config):
    root, cache = _build["root"], _build["cache"]
    try:
        generated = assets.bundle(PROJECT, cache / "assets")
        vendored = PROJECT / ".cache" / "vendor"
        generated.update(assets.vendor_files(vendored / "pyodide", vendored / "digests"))
    except assets.AssetError as exc:
        raise PluginError(f"cells: {exc}") from None
    for uri, path in generated.items():
        _add(files, config, uri, path)

    markdown = {f.src_uri: f.content_string for f in files.documentation_pages()}
    markdown = {uri: text for uri, text in markdown.items() if uri.endswith(".md")}
    try:
        pages, results = cells.run_pages(
            markdown, root=root, cache_dir=cache / "outputs", timeout=settings().cell_timeout
        )
    except cells.CellError as exc:
        raise PluginError(f"cells: {exc.report()}") from None
    ran = [r for r in results.values() if not r.cached]
    log.info(f"{len(results)} cells: {len(ran)} executed ({sum(r.seconds for r in ran):.2f} s)")
    _build.update(pages=pages, results=results)

    for uri, refs in pages.items():
        nb_cells = [
            notebook.NotebookCell(
                r.id,
                r.title,
                r.source,
                res.code,
                output_cap.for_notebook(res.outputs, _build["output_limit"]),
            )
            for r in refs
            for res in [results[cells.resolve_source(root, r.source)]]
        ]
        title = notebook.page_title(markdown[uri], uri)
        nb_uri = notebook.notebook_uri(uri)
        notebook.write_notebook(
            cache / "site" / nb_uri, f"{title}: runnable cells", nb_cells, _build["notebook_cache"]
        )
        nb_file = _add(files, config, nb_uri, cache / "site" / nb_uri)
        nb_file.src_dir = str(cache / "site")  # mkdocs-jupyter needs it
        _build["notebooks"][uri] = nb_uri
    return files


def _notebook_urls(nb_uri: str, files, from_url: str) -> tuple[str | None, str]:
    """(view, download) URLs of a notebook relative to ``from_url``; view is None if unrendered."""
    f = files.get_file_from_path(nb_uri)
    if not f.is_documentation_page():
        return None, get_relative_url(f.url, from_url)
    # mkdocs-jupyter (include_source) copies the .ipynb next to the rendered page
    download = posixpath.join(posixpath.dirname(f.dest_uri), posixpath.basename(nb_uri))
    return get_relative_url(f.url, from_url), get_relative_url(download, from_url)


def on_page_content(html, page, config, files):
    src_uri = page.file.src_uri
    for page_uri, nb_uri in _build.get("notebooks", {}).items():
        if src_uri == nb_uri:
            _, download = _notebook_urls(nb_uri, files, page.url)
            back = get_relative_url(files.get_file_from_path(page_uri).url, page.url)
            # nbconvert's MathJax/Mermaid loaders: unused here, inline, and pointing at a CDN
            return notebook.banner(download, back) + notebook_page.clean(cells.strip_scripts(html))
    if 'class="tb-cell"' not in html:
        return html
    links = []
    if src_uri in _build["notebooks"]:
        view, download = _notebook_urls(_build["notebooks"][src_uri], files, page.url)
        links = [("Notebook", view, False)] if view else []
        links.append(("Download .ipynb", download, True))
    scanned = {r.id: r for r in _build["pages"].get(src_uri, [])}

    def render(ref: cells.CellRef) -> str:
        try:
            result = cells.result_for(
                ref,
                _build["results"],
                root=_build["root"],
                cache_dir=_build["cache"] / "outputs",
                timeout=settings().cell_timeout,
            )
        except cells.CellError as exc:
            located = cells.locate(src_uri, scanned.get(ref.id, ref), exc)
            raise PluginError(f"cells: {located}") from None
        if output_cap.size(result.outputs) > _build["output_limit"]:
            log.info(
                f"docs/{src_uri}: cell '{ref.id}' printed {output_cap.size(result.outputs):,} "
                f"bytes; the page shows the first {_build['output_limit']:,} (cell_output_limit)"
            )
        return widget.render_widget(
            ref,
            result,
            links=links,
            highlight_cache=_build["highlight"],
            output_limit=_build["output_limit"],
        )

    return cells.replace_placeholders(html, render)[0]


def on_post_build(config):
    if "results" in _build and not _dirty["on"]:  # outputs of cells no page uses any more
        cells.prune_cache(_build["cache"] / "outputs", _build["results"].values())
        _build["highlight"].prune()
        _build["notebook_cache"].prune()


def on_serve(server, config, builder):
    mimetypes.add_type("application/wasm", ".wasm")  # Pyodide streams-compiles its .wasm
    mimetypes.add_type("text/javascript", ".mjs")
    server.watch(str(PROJECT / "js" / "cells"))
    return server
