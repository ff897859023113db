"""Cross-references: printed labels in the prose become links, and links to anchors get previews.

Authors write a label exactly as the page prints it: "EQ MM1.2", "INSTRUMENT MM1.1", "§1.3".
`link_references` turns each such label in running text into a link to its anchor, on the same
page or another one. Text in headings, code, math, existing links and buttons is left alone, and
so is a label inside its own block; wrap a label that must stay plain text (say, another
volume's "EQ DL2.3") in `<span class="tb-noxref">`. A label the site does not define fails the
build with file and line, and so does a link whose text is one label but whose target is
another anchor.

Every link on a page that points at an anchor (these and hand-written `[§1.2](#sec-1-2)` links)
gets a `<template>` with a preview of its target, built here, shown by `anchors.js`.
"""

from __future__ import annotations

import html as htmlmod
import posixpath
import re
from collections.abc import Iterable
from urllib.parse import unquote, urljoin, urlsplit

from textbook.anchors import cite, quiz
from textbook.anchors.guard import Redirect
from textbook.anchors.registry import (
    HEADINGS,
    Anchor,
    Document,
    Edit,
    Registry,
    apply_edits,
    math_markup,
    parsed,
    plain_text,
)
from textbook.core.errors import SourceError, line_of

LABEL_RE = re.compile(
    r"(?<![\w.§])"
    r"(?:(?:EQ|INSTRUMENT)[ \u00a0]+[A-Z]{1,4}\d+\.\d+|§\d+(?:\.(?:\d+|[A-Z]))+)"
    r"(?!\w|\.\d)"
)
SKIP_TAGS = {"a", "code", "pre", "kbd", "samp", "script", "style", "template", "textarea"}
SKIP_TAGS |= {"button", "select", "option", "summary", "label", "title", "svg", "math"} | HEADINGS
SKIP_CLASSES = {"arithmatex", "katex", "tb-noxref", "headerlink"}


def normalize_label(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def labels_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every printed label in `text`."""
    return [(m.start(), m.end(), normalize_label(m.group(0))) for m in LABEL_RE.finditer(text)]


def relative_href(from_page: str, to_page: str, anchor: str) -> str:
    """The link from page `from_page` to `anchor` on page `to_page` (site-relative page URLs)."""
    if from_page == to_page:
        return f"#{anchor}"
    start = posixpath.dirname("/" + from_page) if not from_page.endswith("/") else "/" + from_page
    target = posixpath.relpath("/" + to_page, start)
    if to_page.endswith("/") or to_page == "":
        target = target.rstrip("/") + "/"
    return f"{target}#{anchor}"


def resolve_href(page: str, href: str) -> tuple[str, str] | None:
    """(page, anchor) that `href` on `page` points at; None for other hosts or no fragment."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.fragment:
        return None
    path = urlsplit(urljoin("http://site.invalid/" + page, href)).path.lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return unquote(path), unquote(parts.fragment)


def source_line(source: str, needle: str) -> int | None:
    """Line of `needle` in `source`, spaces matching any run of blanks."""
    pattern = r"[ \t\u00a0]+".join(re.escape(word) for word in needle.split())
    match = re.search(pattern, source)
    return None if match is None else line_of(source, match.start())


def _skipped(doc: Document, ancestors: tuple[int, ...]) -> bool:
    for index in ancestors:
        element = doc.elements[index]
        if element.tag in SKIP_TAGS or SKIP_CLASSES.intersection(element.classes):
            return True
    return False


def _unknown(label: str, registry: Registry, path: str, source: str) -> SourceError:
    kinds = {"EQ": "equation", "INS": "instrument", "§": "section"}
    kind = next(k for prefix, k in kinds.items() if label.startswith(prefix))
    known = ", ".join(sorted(a.label for a in registry.by_label.values() if a.kind == kind))
    return SourceError(
        path,
        source_line(source, label),
        f"cross-reference '{label}' names no {kind} of the site (known: {known or 'none'}); "
        'fix the label, or wrap text that must stay plain in <span class="tb-noxref">',
    )


def link_references(
    doc: Document, page: str, registry: Registry, path: str = "", source: str = ""
) -> tuple[list[Edit], set[str]]:
    """Edits that link the page's printed labels, and the ids the page's links point at.

    `page` is the page's site-relative URL; `path` and `source` its Markdown file (messages).
    """
    edits: list[Edit] = []
    referenced: set[str] = set()
    for text in doc.texts:
        if _skipped(doc, text.ancestors):
            continue
        own_ids = {doc.elements[i].attrs.get("id") for i in text.ancestors}
        chunk = doc.html[text.start : text.end]
        for start, end, label in labels_in(chunk):
            target = registry.by_label.get(label)
            if target is None:
                raise _unknown(label, registry, path, source)
            if target.page == page and target.id in own_ids:
                continue  # a block's mention of itself
            href = relative_href(page, target.page, target.id)
            link = (
                f'<a class="tb-xref" href="{htmlmod.escape(href)}">'
                f"{htmlmod.escape(chunk[start:end], quote=False)}</a>"
            )
            edits.append(Edit(text.start + start, text.start + end, link))
            referenced.add(target.id)
    for element in doc.elements:
        href = element.attrs.get("href")
        if element.tag != "a" or href is None or "headerlink" in element.classes:
            continue
        resolved = resolve_href(page, htmlmod.unescape(href))
        text = normalize_label(plain_text(doc.inner(element)))
        if LABEL_RE.fullmatch(text) and not urlsplit(href).scheme:
            named = registry.by_label.get(text)
            if named is None:
                raise _unknown(text, registry, path, source)
            if resolved != (named.page, named.id):
                raise SourceError(
                    path,
                    source_line(source, f"[{text}]") or source_line(source, text),
                    f"the link '{text}' goes to '{href}', but '{text}' is the label of "
                    f"'{named.id}': write the bare label, or link to #{named.id}",
                )
        if resolved is None or resolved[1] not in registry:
            continue
        target = registry[resolved[1]]
        if target.page != resolved[0]:
            continue
        inside_target = any(
            doc.elements[i].attrs.get("id") == target.id for i in _ancestors(doc, element)
        )
        if not (target.page == page and inside_target):
            referenced.add(target.id)
    return edits, referenced


def _ancestors(doc: Document, element) -> list[int]:
    chain, parent = [], element.parent
    while parent is not None:
        chain.append(parent)
        parent = doc.elements[parent].parent
    return chain


def preview_templates(ids: Iterable[str], registry: Registry, page: str) -> str:
    """One hidden `<template>` per referenced anchor: the preview `anchors.js` shows."""
    parts = []
    for anchor in sorted(ids):
        target = registry[anchor]
        if not target.preview:
            continue
        href = htmlmod.escape(relative_href(page, target.page, anchor))
        parts.append(
            f'<template class="tb-xref-preview" data-for="{anchor}" data-href="{href}">'
            f'<div class="tb-preview tb-preview--{target.kind}">{target.preview}</div></template>'
        )
    return "\n".join(parts)


def alias_markup(
    doc: Document, page: str, redirects: Iterable[Redirect]
) -> tuple[list[Edit], str, list[str]]:
    """Keep old anchors of `page` working: (edits, HTML for the page's end, the old ids).

    An old id whose target is on this page becomes an empty element just before the target,
    so `#old` lands there even without JavaScript; one whose target moved to another page is
    an empty element at the end of the page that `anchors.js` follows to the new URL.
    """
    starts = {e.attrs["id"]: e.start for e in doc.elements if "id" in e.attrs}
    edits, tail, ids = [], [], []
    for redirect in sorted(redirects, key=lambda r: r.old):
        if redirect.page != page:
            continue
        href = htmlmod.escape(relative_href(page, redirect.target_page, redirect.target))
        span = f'<span class="tb-alias" id="{redirect.old}" data-tb-alias="{href}"></span>'
        if redirect.target_page == page and redirect.target in starts:
            edits.append(Edit(starts[redirect.target], starts[redirect.target], span))
        else:
            tail.append(span)
        ids.append(redirect.old)
    return edits, "".join(tail), ids


def equations_page(equations: Iterable[Anchor], page: str, page_titles: dict[str, str]) -> str:
    """The list of every equation of the site: label (a link), title, page, typeset formula."""
    items = []
    for eq in equations:
        href = htmlmod.escape(relative_href(page, eq.page, eq.id))
        where = page_titles.get(eq.page, eq.page)
        head = (
            f'<a class="tb-eqlist__label" href="{href}">{htmlmod.escape(eq.label or eq.id)}</a>'
            + (
                f' <span class="tb-eqlist__title">{htmlmod.escape(eq.title)}</span>'
                if eq.title
                else ""
            )
            + f' <span class="tb-eqlist__page">{htmlmod.escape(where)}</span>'
        )
        body = math_markup(eq.tex) if eq.tex else ""
        items.append(
            f'<li class="tb-eqlist__item"><p class="tb-eqlist__head">{head}</p>{body}</li>'
        )
    return '<ol class="tb-eqlist">\n' + "\n".join(items) + "\n</ol>"


def decorate_page(
    html: str,
    page: str,
    registry: Registry,
    redirects: Iterable[Redirect],
    work: cite.Work,
    path: str = "",
    source: str = "",
    doc: Document | None = None,
) -> tuple[str, list[str]]:
    """Everything a page gets: label links, cite bars ("Cite this chapter" on chapters), quiz
    forms, alias targets, previews and the live region. Returns (HTML, alias ids added).

    `doc`: the page already parsed, if it is (used only if parsed from `html`)."""
    doc = parsed(html, doc)
    edits, referenced = link_references(doc, page, registry, path, source)
    edits += cite.equation_edits(doc, work, registry.equations)
    if work.chapter is not None:
        edits += cite.chapter_edits(doc, work)
    edits += quiz.form_edits(doc)
    alias_edits, alias_tail, old_ids = alias_markup(doc, page, redirects)
    tail = alias_tail + preview_templates(referenced, registry, page) + cite.LIVE_REGION
    edits += [*alias_edits, Edit(len(html), len(html), tail)]
    return apply_edits(html, edits), old_ids


# MkDocs' own warnings for links that do not resolve (validation: links, anchors) name the page
# but not the line; `locate_link_warning` rewrites them as `path:line: ...` saying what to fix.
LINK_WARNING_RE = re.compile(
    r"Doc file '(?P<doc>[^']+)' contains (?:a link|an unrecognized relative link) "
    r"'(?P<link>[^']*)', (?:but )?(?P<problem>.*)",
    re.S,
)


def locate_link_warning(message: str, read) -> str | None:
    """`message` as `path:line: link '…': problem. Fix …`, or None if it is not a link warning.

    `read(src_uri)` returns `(path, Markdown source)` of a page, or None.
    """
    match = LINK_WARNING_RE.fullmatch(message.strip())
    if match is None:
        return None
    doc, link, problem = match.group("doc", "link", "problem")
    found = read(doc)
    path, source = found if found else (f"docs/{doc}", "")
    lines = (source_line(source, f"{prefix}{link}") for prefix in ("](", "](<", '="', ": ", ""))
    line = next((n for n in lines if n), None)
    where = f"{path}:{line}" if line else path
    fix = "Fix the link, or give its target that id" if "#" in link else "Fix the link"
    return f"{where}: link '{link}': {problem.rstrip('.')}. {fix}."
