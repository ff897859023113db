"""Citable anchors: found in rendered pages, kept in one registry, guarded against loss.

Every equation, section, instrument, quiz, code cell and figure has an explicit id whose prefix
names its kind (`eq-`, `sec-`, `instrument-`, `quiz-`, `cell-`, `fig-`). `collect` reads them
from a page's HTML (before math is typeset) with their label, title, TeX and a preview
fragment; `Registry` holds the whole site's and refuses an id or label used twice.

Published anchors never break: `anchors/published.json` lists every anchor ever published
(id, kind, page); `guard` fails the build when one of them is gone without an alias in
`anchors/aliases.yml` (old id -> new id), and returns the redirects that keep old URLs working.
`python -m textbook.anchors --publish` rewrites the published list on purpose.
"""

from __future__ import annotations

import argparse
import functools
import html as htmlmod
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from textbook.core.errors import SourceError, find_line, line_of

#: kind -> id prefix (the directives and the chapter hook enforce the prefixes).
PREFIXES = {
    "equation": "eq-",
    "section": "sec-",
    "instrument": "instrument-",
    "quiz": "quiz-",
    "cell": "cell-",
    "figure": "fig-",
}
KINDS = tuple(PREFIXES)
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SECTION_NUMBER_RE = re.compile(r"^(?P<number>\d+(?:\.(?:\d+|[A-Z]))+)\s+(?P<title>.+)$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr", "param"}
PUBLISHED = Path("anchors") / "published.json"
ALIASES = Path("anchors") / "aliases.yml"
GUARD_ENV = "TEXTBOOK_ANCHOR_GUARD"  # "off": build without the guard (used by --publish)


# -- reading HTML with source offsets -----------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    start: int  # offset of "<"
    open_end: int  # offset just after the start tag
    close_start: int = -1  # offset of the end tag ("</"), or open_end for void elements
    end: int = -1  # offset just after the end tag
    parent: int | None = None

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


@dataclass
class Text:
    start: int
    end: int
    ancestors: tuple[int, ...]  # element indexes, outermost first


@dataclass
class Document:
    html: str
    elements: list[Element] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    def inner(self, element: Element) -> str:
        return self.html[element.open_end : element.close_start]

    def outer(self, element: Element) -> str:
        return self.html[element.start : element.end]

    def descendants(self, element: Element) -> Iterable[Element]:
        return (e for e in self.elements if element.open_end <= e.start < element.close_start)

    def first(self, element: Element, cls: str | None = None, tag: str | None = None):
        for candidate in self.descendants(element):
            if (cls is None or cls in candidate.classes) and (tag is None or candidate.tag == tag):
                return candidate
        return None

    def text(self, element: Element | None) -> str:
        return "" if element is None else plain_text(self.inner(element))


class _Scanner(HTMLParser):
    def __init__(self, doc: Document):
        super().__init__(convert_charrefs=False)
        self.doc = doc
        self.stack: list[int] = []  # indexes of the open elements
        self.open_tags: list[str] = []  # their tags, for a quick look-up
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", doc.html)]

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        start = self._at()
        raw = self.get_starttag_text() or ""
        element = Element(
            tag,
            {k: v or "" for k, v in attrs},
            start,
            start + len(raw),
            parent=self.stack[-1] if self.stack else None,
        )
        self.doc.elements.append(element)
        if tag in VOID or raw.endswith("/>"):
            element.close_start = element.end = element.open_end
        else:
            self.stack.append(len(self.doc.elements) - 1)
            self.open_tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)  # "<x/>": handle_starttag leaves it closed

    def handle_endtag(self, tag):
        if tag not in self.open_tags:
            return
        start = self._at()
        end = self.doc.html.index(">", start) + 1
        while self.stack:
            self.open_tags.pop()
            element = self.doc.elements[self.stack.pop()]
            element.close_start, element.end = start, end
            if element.tag == tag:
                break

    def handle_data(self, data):
        start = self._at()
        self.doc.texts.append(Text(start, start + len(data), tuple(self.stack)))

    def close(self):
        super().close()
        for index in self.stack:
            element = self.doc.elements[index]
            element.close_start = element.end = len(self.doc.html)


def scan(html: str) -> Document:
    """Elements and text runs of `html`, with their offsets in `html`."""
    doc = Document(html)
    scanner = _Scanner(doc)
    scanner.feed(html)
    scanner.close()
    return doc


def parsed(html: str, doc: Document | None = None) -> Document:
    """`doc` if it was parsed from exactly `html`, else `html` parsed now."""
    return doc if doc is not None and doc.html == html else scan(html)


class ParsedPages:
    """Pages parsed by `collect` (on_page_content), kept for `xref.decorate_page`
    (on_page_context), which reads the same HTML: html.parser takes ~15 ms per chapter page,
    now once per page instead of twice. A kept Document serves only the HTML it was parsed
    from (`parsed`). It takes ~16 bytes per character of its page, so at most `budget`
    characters of HTML are kept; pages beyond that (large sites) are parsed again."""

    def __init__(self, budget: int = 4_000_000):
        self.budget = budget
        self._docs: dict[str, Document] = {}
        self._kept = 0

    def scan(self, key: str, html: str) -> Document:
        """`html` parsed, and kept under `key` if the budget allows."""
        self.take(key)
        doc = scan(html)
        if self._kept + len(html) <= self.budget:
            self._docs[key] = doc
            self._kept += len(html)
        return doc

    def take(self, key: str) -> Document | None:
        """The Document kept under `key`, if any, forgotten here."""
        doc = self._docs.pop(key, None)
        if doc is not None:
            self._kept -= len(doc.html)
        return doc


@dataclass(frozen=True)
class Edit:
    """Replace html[start:end] with `text` (start == end: insert)."""

    start: int
    end: int
    text: str


def apply_edits(html: str, edits: Iterable[Edit]) -> str:
    """`html` with the edits applied; insertions at one offset keep their given order."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    parts, cursor = [], 0
    for _, edit in ordered:
        if edit.start < cursor:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        parts.append(html[cursor : edit.start])
        parts.append(edit.text)
        cursor = edit.end
    parts.append(html[cursor:])
    return "".join(parts)


TAG_RE = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    return " ".join(htmlmod.unescape(TAG_RE.sub("", fragment)).split())


ID_ATTR_RE = re.compile(r"""\s(?:id|tabindex)=(["'])[^"']*\1""")


def preview_fragment(fragment: str) -> str:
    """HTML safe to repeat elsewhere on a page: no ids, no focus stops, no nested links."""

    def clean(match: re.Match[str]) -> str:
        tag = match.group(0)
        if re.match(r"<a\b", tag):
            return "<span>"
        if tag == "</a>":
            return "</span>"
        return ID_ATTR_RE.sub("", tag)

    return TAG_RE.sub(clean, fragment)


# -- the anchors of a page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    id: str
    kind: str
    label: str | None
    title: str | None
    page: str  # the page's URL relative to the site root, e.g. "01-computer-vision/"
    tex: str | None = None
    preview: str = ""  # HTML (arithmatex markup, no ids or links) shown when a reference is hovered
    source: str = ""  # the page's Markdown file, for messages
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def record(self, site_url: str, page_title: str | None = None) -> dict:
        data = {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "page": self.page,
            "page_title": page_title,
            "title": self.title,
            "url": absolute_url(site_url, self.page, self.id),
        }
        if self.kind == "equation":
            data["tex"] = self.tex
        return data


def absolute_url(site_url: str, page: str, anchor: str | None = None) -> str:
    base = site_url if site_url.endswith("/") else site_url + "/"
    return base + page + (f"#{anchor}" if anchor else "")


def kind_of(anchor: str) -> str | None:
    return next((kind for kind, prefix in PREFIXES.items() if anchor.startswith(prefix)), None)


def definition_line(source: str, anchor: str, occurrence: int = 0) -> int | None:
    """The line of `source` (a Markdown file) that gives `anchor` to its element; with
    `occurrence` n, to the n-th (from 0) element given it (a page that defines it twice)."""
    a = re.escape(anchor)
    for pattern in (
        rf"^\s+id:\s*{a}\s*$",
        rf"^/{{3,}}\s*quiz\s*\|\s*{a}\s*$",
        rf"\{{[^}}\n]*#{a}(?![\w-])[^}}\n]*\}}",
        rf"""\bid=["']{a}["']""",
    ):
        matches = list(re.finditer(pattern, source, re.MULTILINE))
        if matches:
            return line_of(source, matches[min(occurrence, len(matches) - 1)].start())
    return find_line(source, anchor)


def _heading(doc: Document, element: Element) -> tuple[str | None, str]:
    inner = doc.inner(element)
    for link in doc.descendants(element):
        if "headerlink" in link.classes:
            inner = (
                doc.html[element.open_end : link.start] + doc.html[link.end : element.close_start]
            )
    text = plain_text(inner)
    match = SECTION_NUMBER_RE.match(text)
    if match:
        return f"§{match.group('number')}", match.group("title")
    return None, text


def _section_preview(doc: Document, index: int) -> str:
    """The heading's first paragraph (the section's first lines)."""
    heading = doc.elements[index]
    for element in doc.elements[index + 1 :]:
        if element.parent != heading.parent or element.start < heading.end:
            continue
        if element.tag in HEADINGS:
            break
        if element.tag == "p":
            return preview_fragment(doc.outer(element))
    return ""


def _tex(doc: Document, box: Element) -> str | None:
    math = doc.first(box, cls="arithmatex")
    if math is None:
        return None
    body = htmlmod.unescape(doc.inner(math)).strip()
    if body.startswith("\\[") and body.endswith("\\]"):
        body = body[2:-2]
    return body.strip()


def _head(label: str | None, title: str | None) -> str:
    parts = [
        f'<span class="tb-preview__{cls}">{htmlmod.escape(text, quote=False)}</span>'
        for cls, text in (("label", label), ("title", title))
        if text
    ]
    return f'<p class="tb-preview__head">{" ".join(parts)}</p>'


def math_markup(tex: str) -> str:
    """Display math as arithmatex writes it; the math hook typesets it in the finished page."""
    return f'<div class="arithmatex">\\[{htmlmod.escape(tex, quote=False)}\\]</div>'


def _is_block(element: Element, kind: str) -> bool:
    """Sections are headings; other kinds are the `tb-<kind>` blocks of textbook.chapter.blocks."""
    if kind == "section":
        return element.tag in HEADINGS
    return f"tb-{kind}" in element.classes


def collect(
    html: str, page: str, source_path: str = "", source: str = "", doc: Document | None = None
) -> list[Anchor]:
    """The citable anchors of one rendered page, in document order.

    `page` is the page's URL relative to the site; `source` its Markdown (for line numbers);
    `doc` the page already parsed, if it is (used only if parsed from `html`).
    """
    doc = parsed(html, doc)
    found = []
    seen: dict[str, int] = {}  # an id given twice on the page: name each definition's own line
    for index, element in enumerate(doc.elements):
        anchor = element.attrs.get("id", "")
        kind = kind_of(anchor)
        if kind is None or not _is_block(element, kind):
            continue
        label = title = tex = None
        preview = ""
        if kind == "section":
            label, title = _heading(doc, element)
            preview = _head(label, title) + _section_preview(doc, index)
        elif kind == "equation":
            label = doc.text(doc.first(element, cls="tb-equation__label")) or None
            title = doc.text(doc.first(element, cls="tb-equation__title")) or None
            tex = _tex(doc, element)
            preview = _head(label, title) + (math_markup(tex) if tex else "")
        elif kind == "instrument":
            label = doc.text(doc.first(element, cls="tb-instrument__label")) or None
            title = doc.text(doc.first(element, cls="tb-instrument__title")) or None
            caption = doc.first(element, tag="figcaption")
            body = preview_fragment(doc.inner(caption)) if caption else ""
            preview = _head(label, title) + f'<div class="tb-preview__body">{body}</div>'
        elif kind == "quiz":
            title = doc.text(doc.first(element, cls="tb-quiz__question")) or None
        elif kind == "cell":
            title = element.attrs.get("data-title") or None
        elif kind == "figure":
            title = doc.text(doc.first(element, tag="figcaption")) or None
        if kind in ("quiz", "cell", "figure"):
            preview = _head(None, title) if title else ""
        occurrence = seen[anchor] = seen.get(anchor, -1) + 1
        line = definition_line(source, anchor, occurrence) if source else None
        found.append(Anchor(anchor, kind, label, title, page, tex, preview, source_path, line))
    return found


# -- the site's registry -------------------------------------------------------------------------


@dataclass
class Registry:
    anchors: dict[str, Anchor]
    by_label: dict[str, Anchor]
    pages: set[str]

    def __contains__(self, anchor: str) -> bool:
        return anchor in self.anchors

    def __getitem__(self, anchor: str) -> Anchor:
        return self.anchors[anchor]

    @functools.cached_property
    def equations(self) -> dict[str, Anchor]:
        """The equations by id, worked out once: every page asks (site-wide: O(pages) each)."""
        return {anchor.id: anchor for anchor in self.anchors.values() if anchor.kind == "equation"}


def build_registry(anchors: Iterable[Anchor], pages: Iterable[str] = ()) -> Registry:
    """All anchors of the site; raises SourceError for an id or label used twice."""
    by_id: dict[str, Anchor] = {}
    by_label: dict[str, Anchor] = {}
    for anchor in anchors:
        other = by_id.get(anchor.id)
        if other is not None:
            raise SourceError(
                anchor.source,
                anchor.line,
                f"id '{anchor.id}' is already used at {other.where}; citable ids must be "
                "unique across the site: choose another id",
            )
        by_id[anchor.id] = anchor
        if anchor.label:
            other = by_label.get(anchor.label)
            if other is not None:
                raise SourceError(
                    anchor.source,
                    anchor.line,
                    f"label '{anchor.label}' is already the label of '{other.id}' "
                    f"({other.where}); labels must be unique across the site",
                )
            by_label[anchor.label] = anchor
    all_pages = set(pages) | {a.page for a in by_id.values()}
    return Registry(by_id, by_label, all_pages)


# -- published anchors and aliases ---------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    id: str
    kind: str
    page: str


@dataclass(frozen=True)
class Redirect:
    """An old anchor (`old` on `page`) that now lives at `target` on `target_page`."""

    old: str
    page: str
    target: str
    target_page: str


def load_published(path: Path) -> tuple[list[Published], str]:
    """The published list and its text (for line numbers); empty if the file does not exist."""
    if not path.is_file():
        return [], ""
    text = path.read_text(encoding="utf-8")
    shown = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(shown, error.lineno, f"not valid JSON: {error.msg}") from None
    if not isinstance(data, list):
        raise SourceError(shown, 1, "must be a JSON list of {id, kind, page} objects")
    entries = []
    for item in data:
        if not (isinstance(item, dict) and {"id", "kind", "page"} <= set(item)):
            line = find_line(text, json.dumps(item)[:20]) if isinstance(item, dict) else None
            raise SourceError(shown, line, f"entry {item!r} needs 'id', 'kind' and 'page'")
        entries.append(Published(str(item["id"]), str(item["kind"]), str(item["page"])))
    return entries, text


def load_aliases(path: Path) -> tuple[dict[str, str], str]:
    """`old id: new id` pairs from the aliases file (missing file: none)."""
    if not path.is_file():
        return {}, ""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise SourceError(str(path), mark.line + 1 if mark else None, "not valid YAML") from None
    data = data or {}
    if not isinstance(data, dict):
        raise SourceError(str(path), 1, "must be a mapping of 'old-id: new-id' lines")
    aliases = {}
    for old, new in data.items():
        if not (isinstance(old, str) and isinstance(new, str)):
            raise SourceError(str(path), find_line(text, str(old)), "write 'old-id: new-id'")
        for anchor in (old, new):
            if not ID_RE.match(anchor):
                raise SourceError(
                    str(path), find_line(text, f"{old}:"), f"'{anchor}' is not an anchor id"
                )
        aliases[old] = new
    return aliases, text


def _published_line(text: str, anchor: str) -> int | None:
    return find_line(text, f'"id": "{anchor}"')


def resolve_aliases(aliases: dict[str, str], registry: Registry, path: str, text: str):
    """old id -> the anchor it leads to now (chains followed); SourceError if one is broken."""
    resolved = {}
    for old in sorted(aliases):
        line = find_line(text, f"{old}:")
        if old in registry:
            raise SourceError(
                path,
                line,
                f"'{old}' is an anchor of {registry[old].where} again: remove its alias",
            )
        seen = [old]
        target = aliases[old]
        while target in aliases:
            if target in seen:
                chain = " -> ".join([*seen, target])
                raise SourceError(path, line, f"aliases form a loop: {chain}")
            seen.append(target)
            target = aliases[target]
        if target not in registry:
            raise SourceError(
                path,
                line,
                f"alias '{old}' leads to '{target}', which is no anchor of the site: "
                "point it at an existing id",
            )
        resolved[old] = target
    return resolved


def guard(
    registry: Registry,
    published: list[Published],
    aliases: dict[str, str],
    published_path: str = str(PUBLISHED),
    published_text: str = "",
    aliases_path: str = str(ALIASES),
    aliases_text: str = "",
) -> list[Redirect]:
    """Check that every published anchor still resolves; return the redirects old URLs need.

    A published anchor is fine where it was; if it moved to another page (same id) or has an
    alias, a redirect keeps its old URL working; otherwise SourceError names it and its page.
    """
    resolved = resolve_aliases(aliases, registry, aliases_path, aliases_text)
    redirects = []
    known = set()
    for entry in sorted(published, key=lambda p: p.id):
        known.add(entry.id)
        line = _published_line(published_text, entry.id)
        if entry.id in registry:
            target = registry[entry.id]
            if target.page == entry.page:
                continue
        elif entry.id in resolved:
            target = registry[resolved[entry.id]]
        else:
            raise SourceError(
                published_path,
                line,
                f"published anchor '{entry.id}' ({entry.kind} on page '{entry.page}') is gone, "
                f"so links to '{entry.page}#{entry.id}' would break: restore the id, or add "
                f"'{entry.id}: <new-id>' to {aliases_path}, or withdraw it on purpose with "
                "`python -m textbook.anchors --publish`",
            )
        if entry.page not in registry.pages:
            raise SourceError(
                published_path,
                line,
                f"published anchor '{entry.id}' lived on page '{entry.page}', which no longer "
                "exists, so its old URL cannot be redirected: keep a page at that address",
            )
        redirects.append(Redirect(entry.id, entry.page, target.id, target.page))
    for old, new in sorted(resolved.items()):
        if old not in known:  # never published: it was on its target's page
            target = registry[new]
            redirects.append(Redirect(old, target.page, target.id, target.page))
    return redirects


# -- output: anchors.json and the published list -------------------------------------------------


def registry_json(
    registry: Registry,
    redirects: list[Redirect],
    site_url: str,
    page_titles: dict[str, str] | None = None,
    edition: str | None = None,
) -> str:
    """`anchors.json`: every anchor and alias of the site, sorted, with absolute URLs; `edition`
    is the edition's number (None, written null: an unpublished draft)."""
    titles = page_titles or {}
    data = {
        "version": 1,
        "edition": edition,
        "site_url": site_url,
        "anchors": [
            anchor.record(site_url, titles.get(anchor.page))
            for anchor in sorted(registry.anchors.values(), key=lambda a: a.id)
        ],
        "aliases": [
            {
                "id": r.old,
                "page": r.page,
                "url": absolute_url(site_url, r.page, r.old),
                "target": r.target,
                "target_url": absolute_url(site_url, r.target_page, r.target),
            }
            for r in sorted(redirects, key=lambda r: (r.old, r.page))
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def merged_published(
    current: list[dict], previous: list[Published], aliases: dict[str, str]
) -> tuple[list[Published], list[Published], list[Published]]:
    """The new published list: today's anchors plus old ones that still redirect.

    Returns (new list, added, withdrawn)."""
    now = {item["id"]: Published(item["id"], item["kind"], item["page"]) for item in current}
    kept = {}
    for entry in previous:
        if entry.id in now and now[entry.id].page != entry.page:
            kept[entry.id] = entry  # moved: the old page keeps redirecting
        elif entry.id not in now and entry.id in aliases:
            kept[entry.id] = entry
    merged = {**now, **kept}
    old_ids = {entry.id for entry in previous}
    added = sorted((p for p in now.values() if p.id not in old_ids), key=lambda p: p.id)
    withdrawn = sorted(
        (e for e in previous if e.id not in now and e.id not in kept), key=lambda p: p.id
    )
    return sorted(merged.values(), key=lambda p: (p.id, p.page)), added, withdrawn


def published_json(entries: list[Published]) -> str:
    data = [{"id": e.id, "kind": e.kind, "page": e.page} for e in entries]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def publish(config_file: Path, site_dir: Path | None = None) -> str:
    """Rewrite anchors/published.json from a build of the site; returns a summary."""
    root = config_file.resolve().parent
    with tempfile.TemporaryDirectory(prefix="anchors-publish-") as tmp:
        if site_dir is None:
            site_dir = Path(tmp) / "site"
            result = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
                + ["-f", str(config_file), "-d", str(site_dir)],
                cwd=root,
                capture_output=True,
                text=True,
                env={**os.environ, GUARD_ENV: "off"},
            )
            if result.returncode != 0:
                raise SystemExit(f"the build failed:\n{result.stdout}{result.stderr}")
        current = json.loads((site_dir / "anchors.json").read_text(encoding="utf-8"))["anchors"]
    previous, _ = load_published(root / PUBLISHED)
    aliases, _ = load_aliases(root / ALIASES)
    entries, added, withdrawn = merged_published(current, previous, aliases)
    (root / PUBLISHED).parent.mkdir(parents=True, exist_ok=True)
    (root / PUBLISHED).write_text(published_json(entries), encoding="utf-8")
    lines = [f"{PUBLISHED}: {len(entries)} anchors"]
    lines += [f"  added: {e.id} ({e.page})" for e in added]
    lines += [f"  withdrawn: {e.id} ({e.page})" for e in withdrawn]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m textbook.anchors", description=__doc__)
    parser.add_argument(
        "--publish",
        action="store_true",
        help="build the site and write anchors/published.json (adds new anchors; withdraws "
        "published anchors that are gone and have no alias)",
    )
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", type=Path)
    parser.add_argument(
        "--site-dir", type=Path, help="read anchors.json from this built site instead of building"
    )
    args = parser.parse_args(argv)
    if not args.publish:
        parser.print_help()
        return 2
    print(publish(args.config_file, args.site_dir))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


def guard_site(root: Path, registry: Registry) -> tuple[list[Redirect], list[Published]]:
    """Read the project's published list and aliases, and `guard` the registry with them."""
    published, published_text = load_published(root / PUBLISHED)
    aliases, aliases_text = load_aliases(root / ALIASES)
    redirects = guard(
        registry, published, aliases, str(PUBLISHED), published_text, str(ALIASES), aliases_text
    )
    return redirects, published
