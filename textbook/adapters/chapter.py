"""MkDocs hook: chapter structure.

Checks every page's front matter, headings, block directives and placeholder cross-references
(with file and line), substitutes the kernel-computed `{{ name }}` values, renders the chapter
header with its computed reading time, and refuses duplicate ids in the built page.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

import textbook.anchors.placeholder_refs
import textbook.chapter.blocks
import textbook.chapter.directives
import textbook.chapter.facts
import textbook.chapter.meta
import textbook.chapter.reading_time
import textbook.core.errors
import textbook.core.ids
import textbook.pipeline

log = get_plugin_logger("chapter")
_pages: dict[str, dict] = {}


def on_config(config):
    textbook.chapter.facts.TIMEOUT = textbook.pipeline.settings.fact_timeout
    config.extra_css.append("assets/css/textbook.css")
    return config


def _source_path(page) -> str:
    return f"docs/{page.file.src_uri}"


def on_page_markdown(markdown, page, config, files):
    path = _source_path(page)
    source = page.file.content_string
    try:
        data, _ = textbook.chapter.meta.split_front_matter(source, path)
        first_line = source[: len(source) - len(markdown)].count("\n") + 1
        meta = textbook.chapter.meta.chapter_meta(data, path, source)
        missing = textbook.chapter.meta.headings_without_id(markdown, first_line)
        if missing:
            raise textbook.core.errors.SourceError(
                path, missing[0], "heading without an explicit id: end it with '{ #some-id }'"
            )
        directives = textbook.chapter.directives.scan(markdown, path, first_line)
        textbook.anchors.placeholder_refs.check(markdown, path, first_line)
        markdown = textbook.chapter.facts.substitute(markdown, path, first_line)
    except textbook.core.errors.SourceError as error:
        raise PluginError(str(error)) from None
    for directive in directives:
        if directive.kind == "quiz" and directive.options["kind"] == "number":
            if directive.options["answer"] not in textbook.chapter.facts.names():
                raise PluginError(
                    f"{path}:{directive.line}: quiz answer '{directive.options['answer']}' is "
                    "not a computed value (see textbook/chapter/facts.py)"
                )
    titles = {d.anchor: d.argument for d in directives if d.kind == "instrument"}
    _pages[page.file.src_uri] = {"meta": meta, "titles": titles, "source": source}
    return markdown


def on_page_content(html, page, config, files):
    info = _pages.get(page.file.src_uri, {})
    meta = info.get("meta")
    if meta is None:
        return html
    # Not kept in page.meta: a non-empty meta makes Material's navigation look up icon,
    # subtitle and status of that page in the nav of every page (quadratic in pages).
    minutes = textbook.chapter.reading_time.reading_minutes(html)
    home = files.get_file_from_path("index.md")
    home_url = home.url_relative_to(page.file) if home else "../"
    try:
        return textbook.chapter.meta.decorate(html, meta, minutes, info["titles"], home_url)
    except ValueError as error:
        raise PluginError(f"{_source_path(page)}: {error}") from None


def on_post_page(output, page, config):
    duplicates = textbook.core.ids.duplicate_ids(output)
    if duplicates:
        anchor = duplicates[0]
        source = _pages.get(page.file.src_uri, {}).get("source", "")
        lines = textbook.core.ids.definition_lines(source, anchor)
        lines = lines or [textbook.core.errors.find_line(source, anchor)]
        line = lines[1] if len(lines) > 1 else lines[0]  # the second use: the duplicate
        where = f"{_source_path(page)}:{line}" if line else _source_path(page)
        also = f" (also at line {lines[0]})" if len(lines) > 1 else ""
        raise PluginError(
            f"{where}: id '{anchor}' is used more than once on the page{also}; "
            "ids must be unique: rename one"
        )
    return output
