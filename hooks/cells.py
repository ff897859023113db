"""MkDocs hook: runnable Python cells (logic in textbook.cells / .notebook / .cells_assets).

- on_files (priority 100, before mkdocs-jupyter): bundle the front end, add it and the
  self-hosted Pyodide as generated files, run every cell the pages place (cached), and add one
  generated companion notebook per page with cells (rendered by mkdocs-jupyter).
- on_page_content: replace each cell placeholder with the widget (code + build-time output).
"""

from __future__ import annotations

import importlib
import mimetypes
import posixpath
from pathlib import Path

import pathspec
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import get_relative_url

import textbook.cells as cells
import textbook.cells_assets as assets
import textbook.notebook as notebook

log = get_plugin_logger("cells")
PROJECT = Path(__file__).resolve().parent.parent  # js/cells, node_modules, vendored Pyodide
_build: dict = {}


def on_startup(command, dirty):
    _build["serving"] = command == "serve"


def on_config(config):
    if _build.get("serving"):  # hook modules stay loaded across serve rebuilds
        for module in (cells, notebook, assets):
            importlib.reload(module)
    root = Path(config.config_file_path).resolve().parent
    _build.update(root=root, cache=root / ".cache" / "cells", pages={}, results={}, notebooks={})
    _keep_notebooks_out_of_nav(config)
    config.extra_css.append(f"{assets.SITE_DIR}/cells.css")
    script = ExtraScriptValue(f"{assets.SITE_DIR}/cells.js")
    script.type = "module"
    config.extra_javascript.append(script)
    return config


def _keep_notebooks_out_of_nav(config) -> None:
    # mkdocs-jupyter wraps our File (losing its `inclusion`), so say it through `not_in_nav`.
    docs = Path(config.docs_dir)
    uris = [
        notebook.notebook_uri(p.relative_to(docs).as_posix())
        for p in sorted(docs.rglob("*.md"))
        if cells.mentions_cells(p.read_text(encoding="utf-8"))
    ]
    if uris:
        extra = pathspec.GitIgnoreSpec.from_lines(f"/{uri}" for uri in uris)
        config.not_in_nav = config.not_in_nav + extra if config.not_in_nav else extra


def _add(files, config, uri: str, path: Path, **kwargs) -> File:
    if files.get_file_from_path(uri) is not None:
        raise PluginError(f"cells: docs/{uri} exists but the cells hook generates it: remove it")
    f = File.generated(config, uri, abs_src_path=str(path), **kwargs)
    files.append(f)
    return f


def _fail(page_uri: str, ref: cells.CellRef | None, exc: cells.CellError) -> PluginError:
    where = f"docs/{page_uri}:{ref.line}" if ref and ref.line else f"docs/{page_uri}"
    cell = f" cell '{ref.id}' ({ref.source})" if ref else ""
    return PluginError(f"cells: {where}:{cell}: {exc.report()}")


def _page_title(markdown: str, fallback: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].split(" {", 1)[0].strip()
    return fallback


@event_priority(100)
def on_files(files, config):
    root, cache = _build["root"], _build["cache"]
    try:
        generated = {**assets.bundle(PROJECT, cache / "assets")}
        generated.update(assets.vendor_files(PROJECT / ".cache" / "vendor" / "pyodide"))
    except assets.AssetError as exc:
        raise PluginError(f"cells: {exc}") from None
    for uri, path in generated.items():
        _add(files, config, uri, path)

    pages = _build["pages"]
    for f in files.documentation_pages():
        if f.src_uri.endswith(".md") and cells.mentions_cells(f.content_string):
            try:
                refs = cells.scan_markdown(f.content_string)
            except cells.CellError as exc:
                raise PluginError(f"cells: docs/{f.src_uri}:{exc.line}: {exc}") from None
            if refs:
                pages[f.src_uri] = refs
    first_use: dict[Path, tuple[str, cells.CellRef]] = {}
    for uri, refs in pages.items():
        for ref in refs:
            try:
                path = cells.resolve_source(root, ref.source)
            except cells.CellError as exc:
                raise _fail(uri, ref, exc) from None
            first_use.setdefault(path, (uri, ref))
    try:
        _build["results"] = cells.execute_cells(first_use, root=root, cache_dir=cache / "outputs")
    except cells.CellError as exc:
        uri, ref = first_use[exc.file]
        raise _fail(uri, ref, exc) from None
    ran = [r for r in _build["results"].values() if not r.cached]
    log.info(f"{len(first_use)} cells: {len(ran)} executed ({sum(r.seconds for r in ran):.2f} s)")

    for uri, refs in pages.items():
        nb_uri = notebook.notebook_uri(uri)
        page_file = files.get_file_from_path(uri)
        title = _page_title(page_file.content_string, uri)
        nb = notebook.build_notebook(f"{title}: runnable cells", [_nb_cell(root, r) for r in refs])
        target = cache / "site" / nb_uri
        text = notebook.dumps(nb)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        nb_file = _add(files, config, nb_uri, target, inclusion=InclusionLevel.NOT_IN_NAV)
        nb_file.src_dir = str(cache / "site")  # mkdocs-jupyter needs it
        _build["notebooks"][uri] = nb_uri
    return files


def _nb_cell(root: Path, ref: cells.CellRef) -> notebook.NotebookCell:
    result = _build["results"][cells.resolve_source(root, ref.source)]
    return notebook.NotebookCell(ref.id, ref.title, ref.source, result.code, result.outputs)


def _notebook_links(nb_uri: str, files, from_url: str) -> tuple[list, str | None, str]:
    f = files.get_file_from_path(nb_uri)
    if f.is_documentation_page():  # rendered by mkdocs-jupyter, which copies the .ipynb
        download = posixpath.join(posixpath.dirname(f.dest_uri), posixpath.basename(nb_uri))
        view = get_relative_url(f.url, from_url)
        return [("Notebook", view, False)], view, get_relative_url(download, from_url)
    return [], None, get_relative_url(f.url, from_url)


def on_page_content(html, page, config, files):
    src_uri = page.file.src_uri
    for page_uri, nb_uri in _build.get("notebooks", {}).items():
        if src_uri == nb_uri:
            _, _, download = _notebook_links(nb_uri, files, page.url)
            chapter = get_relative_url(files.get_file_from_path(page_uri).url, page.url)
            html = cells.strip_scripts(html)  # MathJax/Mermaid loaders: unused, CDN, inline
            return (
                '<p class="tb-cell-notebook"><a href="' + download + '" download>'
                "Download this notebook (.ipynb)</a> · generated from the runnable cells of "
                f'<a href="{chapter}">the chapter page</a>.</p>\n{html}'
            )
    if 'class="tb-cell"' not in html:
        return html
    nb_uri = _build["notebooks"].get(src_uri)
    links = []
    if nb_uri:
        links, _, download = _notebook_links(nb_uri, files, page.url)
        links.append(("Download .ipynb", download, True))
    scanned = {r.id: r for r in _build["pages"].get(src_uri, [])}

    def render(ref: cells.CellRef) -> str:
        located = scanned.get(ref.id, ref)
        try:
            path = cells.resolve_source(_build["root"], ref.source)
            result = _build["results"].get(path)
            if result is None:
                result = cells.execute_cells(
                    [path], root=_build["root"], cache_dir=_build["cache"] / "outputs"
                )[path]
                _build["results"][path] = result
        except cells.CellError as exc:
            raise _fail(src_uri, located, exc) from None
        return cells.render_widget(ref, result, links=links)

    html, _ = cells.replace_placeholders(html, render)
    return html


def on_serve(server, config, builder):
    mimetypes.add_type("application/wasm", ".wasm")  # Pyodide streams-compiles its .wasm
    mimetypes.add_type("text/javascript", ".mjs")
    server.watch(str(PROJECT / "js" / "cells"))
    return server
