"""MkDocs hook: citable anchors, cross-references, citations and quiz widgets.

Thin adapter over `textbook.anchors.registry` (registry, guard, anchors.json),
`textbook.anchors.xref` (label links, previews, aliases, the Equations page, page decoration),
`textbook.anchors.cite` and `textbook.anchors.quiz`. Anchors are read in on_page_content (before
math is typeset); once every page is read (on_env) the registry is checked against
`anchors/published.json`; on_page_context decorates each page, and the math hook typesets the
formulas added here in on_post_page, where chapter pages also get their scholarly metadata
(`textbook.anchors.scholar`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File

import textbook.anchors.cite as cite
import textbook.anchors.guard as anchors_guard
import textbook.anchors.registry as anchors
import textbook.anchors.scholar as scholar
import textbook.anchors.xref as xref
import textbook.core.errors as errors
import textbook.site.edition as editions

log = get_plugin_logger("anchors")
PROJECT_DOCS = Path(__file__).resolve().parents[2] / "docs"
ASSETS = {"css": ["assets/css/anchors.css", "assets/css/quiz.css"]}
ASSETS["js"] = ["assets/js/anchors.js", "assets/js/quiz.js"]  # loaded by the scripts stage
EQUATIONS = "equations.md"
EQUATIONS_MD = """---
title: Equations
---

# Equations { #equations }

Every numbered equation of the volume, typeset, with its label, its title and a link to the
place where the text introduces it.
"""


class _State:
    root = Path(".")
    date = ""
    edition = editions.Edition(None, "/")
    pages: dict = {}
    found: list = []
    registry: anchors.Registry | None = None
    redirects: list = []
    parsed = anchors.ParsedPages()  # each page's HTML parsed once, for both events
    json_file: File | None = None
    files = None
    works: dict = {}  # chapter pages as citable works, for their scholarly metadata


state = _State()


class _LinkWarnings(logging.Filter):
    """Adds file and line to MkDocs' warnings about links that do not resolve."""

    def filter(self, record):
        def read(src_uri):
            f = state.files.get_file_from_path(src_uri) if state.files is not None else None
            if f is None or not f.abs_src_path:
                return None
            return os.path.relpath(f.abs_src_path, state.root), f.content_string

        located = xref.locate_link_warning(record.getMessage(), read)
        if located:
            record.msg, record.args = located, ()
        return True


_link_warnings = _LinkWarnings()  # one instance: addFilter ignores a second add


def on_config(config):
    state.root = Path(config.config_file_path).resolve().parent
    state.pages, state.found, state.registry, state.redirects = {}, [], None, []
    state.works = {}
    state.parsed = anchors.ParsedPages()
    logging.getLogger("mkdocs.structure.pages").addFilter(_link_warnings)
    try:
        state.date = cite.build_date(state.root)
    except ValueError as error:
        raise PluginError(f"anchors: {error}") from None
    try:
        state.edition = editions.current(config.site_url or "/", os.environ)
    except ValueError as error:
        raise PluginError(f"anchors: {error}") from None
    config.extra_css.extend(ASSETS["css"])
    if config.nav is not None and {"Equations": EQUATIONS} not in config.nav:
        config.nav.append({"Equations": EQUATIONS})
    return config


def on_files(files, config):
    state.files = files
    files.append(File.generated(config, EQUATIONS, content=EQUATIONS_MD))
    for asset in ASSETS["css"] + ASSETS["js"]:  # sites whose docs/ lacks them (test fixtures)
        if files.get_file_from_path(asset) is None:
            files.append(File.generated(config, asset, abs_src_path=str(PROJECT_DOCS / asset)))
    state.json_file = File.generated(config, "anchors.json", content="{}\n")
    files.append(state.json_file)
    return files


def _path(page) -> str:
    if page.file.abs_src_path:
        return os.path.relpath(page.file.abs_src_path, state.root)
    return f"docs/{page.file.src_uri}"


def _titles() -> dict[str, str]:
    return {p.url: (p.meta or {}).get("title") or p.title for p in state.pages.values()}


def on_page_content(html, page, config, files):
    if page.file.src_uri != EQUATIONS:
        state.pages[page.file.src_uri] = page
        source = page.file.content_string
        doc = state.parsed.scan(page.file.src_uri, html)
        state.found.extend(anchors.collect(html, page.url, _path(page), source, doc))
    return html


def on_env(env, config, files):
    try:
        registry = anchors.build_registry(state.found, [p.url for p in state.pages.values()])
        if os.environ.get(anchors.GUARD_ENV) == "off":
            log.info(f"published-anchor guard is off ({anchors.GUARD_ENV}=off)")
            published = []
        else:
            state.redirects, published = anchors_guard.guard_site(state.root, registry)
    except errors.SourceError as error:
        raise PluginError(str(error)) from None
    state.registry = registry
    assert state.json_file is not None, "anchors hook: on_files did not run"
    state.json_file.content_string = anchors_guard.registry_json(
        registry, state.redirects, config.site_url or "/", _titles(), state.edition.number
    )
    log.info(f"{len(registry.anchors)} anchors; {len(state.redirects)} old anchors redirected")
    new = sorted(set(registry.anchors) - {p.id for p in published})
    if new and published:
        log.info(f"not yet published: {', '.join(new)} (python -m textbook.anchors --publish)")
    return env


def on_page_context(context, page, config, nav):
    if state.registry is None:
        return context
    if page.file.src_uri == EQUATIONS:
        order = {p.url: i for i, p in enumerate(nav.pages)}
        equations = [a for a in state.found if a.kind == "equation"]
        equations.sort(key=lambda a: order.get(a.page, len(order)))
        page.content += xref.equations_page(equations, page.url, _titles())
        return context
    if page.file.src_uri not in state.pages:
        return context
    author = config.site_author or config.site_name
    work = cite.work_of(page.meta or {}, page.title, state.edition, page.url,
                        state.date, author)  # fmt: skip
    if work.chapter:
        state.works[page.file.src_uri] = work
    try:
        page.content, old_ids = xref.decorate_page(
            page.content, page.url, state.registry, state.redirects, work,
            _path(page), page.file.content_string, state.parsed.take(page.file.src_uri),
        )  # fmt: skip
    except errors.SourceError as error:
        raise PluginError(str(error)) from None
    except ValueError as error:
        raise PluginError(f"{_path(page)}: {error}") from None
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(old_ids)
    return context


def on_post_page(output, page, config):
    work = state.works.get(page.file.src_uri)
    if work is None:
        return output
    description = (page.meta or {}).get("description")
    if isinstance(description, Markup):  # escaped for the theme's attribute (templates stage)
        description = description.unescape()
    head = scholar.head_html(work, description)
    try:
        return scholar.insert_in_head(output, head)
    except ValueError as error:
        raise PluginError(f"anchors: {_path(page)}: {error}") from None
