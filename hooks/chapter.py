"""MkDocs hook: chapter structure.

Checks every page's front matter, headings, block directives and placeholder cross-references
(with file and line), substitutes the kernel-computed `{{ name }}` values, renders the chapter
header with its computed reading time, and refuses duplicate ids in the built page.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

import textbook.blocks
import textbook.chapter
import textbook.directives
import textbook.errors
import textbook.facts
import textbook.ids
import textbook.placeholder_refs
import textbook.reading_time

log = get_plugin_logger("chapter")
_pages: dict[str, dict] = {}


def on_config(config):
    config.extra_css.append("assets/css/textbook.css")
    return config


def _source_path(page) -> str:
    return f"docs/{page.file.src_uri}"


def on_page_markdown(markdown, page, config, files):
    path = _source_path(page)
    source = page.file.content_string
    try:
        data, _ = textbook.chapter.split_front_matter(source, path)
        first_line = source[: len(source) - len(markdown)].count("\n") + 1
        meta = textbook.chapter.chapter_meta(data, path, source)
        missing = textbook.chapter.headings_without_id(markdown, first_line)
        if missing:
            raise textbook.errors.SourceError(
                path, missing[0], "heading without an explicit id: end it with '{ #some-id }'"
            )
        directives = textbook.directives.scan(markdown, path, first_line)
        textbook.placeholder_refs.check(markdown, path, first_line)
        markdown = textbook.facts.substitute(markdown, path, first_line)
    except textbook.errors.SourceError as error:
        raise PluginError(str(error)) from None
    for directive in directives:
        if directive.kind == "quiz" and directive.options["kind"] == "number":
            if directive.options["answer"] not in textbook.facts.names():
                raise PluginError(
                    f"{path}:{directive.line}: quiz answer '{directive.options['answer']}' is "
                    "not a computed value (see textbook/facts.py)"
                )
    titles = {d.anchor: d.argument for d in directives if d.kind == "instrument"}
    _pages[page.file.src_uri] = {"meta": meta, "titles": titles, "source": source}
    return markdown


def on_page_content(html, page, config, files):
    info = _pages.get(page.file.src_uri, {})
    meta = info.get("meta")
    minutes = textbook.reading_time.reading_minutes(html)
    page.meta["reading_minutes"] = minutes
    if meta is None:
        return html
    home = files.get_file_from_path("index.md")
    home_url = home.url_relative_to(page.file) if home else "../"
    try:
        return textbook.chapter.decorate(html, meta, minutes, info["titles"], home_url)
    except ValueError as error:
        raise PluginError(f"{_source_path(page)}: {error}") from None


def on_post_page(output, page, config):
    duplicates = textbook.ids.duplicate_ids(output)
    if duplicates:
        anchor = duplicates[0]
        source = _pages.get(page.file.src_uri, {}).get("source", "")
        lines = textbook.ids.definition_lines(source, anchor)
        lines = lines or [textbook.errors.find_line(source, anchor)]
        line = lines[1] if len(lines) > 1 else lines[0]  # the second use: the duplicate
        where = f"{_source_path(page)}:{line}" if line else _source_path(page)
        also = f" (also at line {lines[0]})" if len(lines) > 1 else ""
        raise PluginError(
            f"{where}: id '{anchor}' is used more than once on the page{also}; "
            "ids must be unique: rename one"
        )
    return output
