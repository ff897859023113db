"""Citations of a chapter and of its equations (plain text and BibTeX), and their copy buttons.

Every text a reader can copy is written into the page here, at build time, in `data-tb-copy`
attributes (and shown in `<pre>` for the citations); `anchors.js` only copies. The date is the
date of the build's commit, so two builds of one commit give the same bytes.

A published edition is cited by its number and its permanent URL (`…/1.0/page/#anchor`, which
never changes), with a link to the same place in the latest edition; a draft build (no edition)
says it is an unpublished draft.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from textbook.anchors.registry import Anchor, Document, Edit
from textbook.site.edition import Edition

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def build_date(
    project_dir: Path,
    env: Mapping[str, str] | None = None,
    run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
) -> str:
    """YYYY-MM-DD of the last commit (`git log -1 --format=%cs`), else of SOURCE_DATE_EPOCH."""
    env = os.environ if env is None else env
    try:
        result = run(
            ["git", "-C", str(project_dir), "log", "-1", "--format=%cs"],
            capture_output=True,
            text=True,
            timeout=20,
        )
        date = result.stdout.strip() if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        date = ""
    if DATE_RE.match(date):
        return date
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    raise ValueError(
        f"no date for citations: {project_dir} is not a git checkout with a commit and "
        "SOURCE_DATE_EPOCH is not set; commit, or set SOURCE_DATE_EPOCH=<unix seconds>"
    )


@dataclass(frozen=True)
class Work:
    """A chapter (or any page) as a citable work."""

    author: str  # e.g. "AI Encyclopedia editors"
    title: str  # the chapter's title
    url: str  # permanent absolute URL of the page (in its edition)
    date: str  # YYYY-MM-DD
    key: str  # BibTeX key, e.g. "01-computer-vision"
    volume: str | None = None  # e.g. "Multimodal & World Models"
    series: str | None = None  # e.g. "AI Encyclopedia"
    chapter: int | None = None
    edition: str | None = None  # e.g. "1.0"; None: an unpublished draft
    latest_url: str | None = None  # the page in the latest edition (published editions only)

    @property
    def version(self) -> str:
        """ "Edition 1.0 of 2026-11-27" or "Unpublished draft of 2026-11-27"."""
        what = f"Edition {self.edition}" if self.edition else "Unpublished draft"
        return f"{what} of {self.date}"

    def latest(self, anchor: str | None = None) -> str | None:
        if not self.latest_url:
            return None
        return self.latest_url + (f"#{anchor}" if anchor else "")

    @property
    def where(self) -> str:
        """ "Chapter 1 of Multimodal & World Models, AI Encyclopedia" (what is known of it)."""
        parts = []
        if self.volume:
            parts.append(
                f"Chapter {self.chapter} of {self.volume}" if self.chapter else self.volume
            )
        if self.series:
            parts.append(self.series)
        return ", ".join(parts)


def bibtex_escape(text: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(char, char) for char in text)


def bibtex(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    """An entry with aligned fields; values are used as given (escape them first)."""
    width = max(len(name) for name, _ in fields)
    body = "".join(f"  {name.ljust(width)} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}}}"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _plain_tail(work: Work, url: str, latest: str | None) -> str:
    """ "Edition 1.0 of <date>. <url> (latest edition: <url>)"."""
    return f"{work.version}. {url}" + (f" (latest edition: {latest})" if latest else "")


def _bibtex_tail(work: Work, url: str, latest: str | None) -> list[tuple[str, str]]:
    fields = [("edition", bibtex_escape(work.edition))] if work.edition else []
    fields += [("year", work.date[:4]), ("date", work.date), ("url", url)]
    note = work.version
    if latest:
        # hyperref's \url needs # and % escaped inside another command's argument.
        note += r". Latest edition: \url{" + latest.replace("#", r"\#").replace("%", r"\%") + "}"
    return fields + [("note", note)]


def chapter_citation(work: Work) -> tuple[str, str]:
    """(plain text, BibTeX) citing the chapter."""
    where = f" {_sentence(work.where)}" if work.where else ""
    tail = _plain_tail(work, work.url, work.latest())
    plain = f"{work.author}. “{_sentence(work.title)}”{where} {tail}"
    fields = [
        ("author", "{" + bibtex_escape(work.author) + "}"),
        ("title", "{" + bibtex_escape(work.title) + "}"),
    ]
    if work.where:
        fields.append(("howpublished", bibtex_escape(work.where)))
    fields += _bibtex_tail(work, work.url, work.latest())
    return plain, bibtex("misc", work.key, fields)


def equation_citation(work: Work, anchor: str, label: str, title: str | None) -> tuple[str, str]:
    """(plain text, BibTeX) citing one labelled equation of the chapter, by its anchor URL."""
    name = f"{label}: {title}" if title else label
    url = f"{work.url}#{anchor}"
    context = f"In “{work.title}”" + (f", {work.where}" if work.where else "")
    latest = work.latest(anchor)
    plain = f"{work.author}. “{_sentence(name)}” {_sentence(context)} "
    plain += _plain_tail(work, url, latest)
    fields = [
        ("author", "{" + bibtex_escape(work.author) + "}"),
        ("title", "{" + bibtex_escape(name) + "}"),
        (
            "howpublished",
            bibtex_escape(f"In: {work.title}" + (f", {work.where}" if work.where else "")),
        ),
        *_bibtex_tail(work, url, latest),
    ]
    return plain, bibtex("misc", f"{work.key}:{anchor}", fields)


def _attr(text: str) -> str:
    return escape(text, quote=True).replace("\n", "&#10;")


def copy_button(text: str, visible: str, name: str, done: str) -> str:
    """A button that copies `text`; `name` is its accessible name, `done` what is announced."""
    return (
        f'<button type="button" class="tb-copy" aria-label="{_attr(name)}" '
        f'data-tb-copy="{_attr(text)}" data-tb-copied="{_attr(done)}">{escape(visible)}</button>'
    )


def _formats(plain: str, bib: str, what: str) -> str:
    return (
        '<div class="tb-cite__body">'
        '<div class="tb-cite__format"><span class="tb-cite__name">Plain text</span>'
        + copy_button(plain, "Copy", f"Copy citation of {what}", f"Citation of {what} copied")
        + f'</div><pre class="tb-cite__text">{escape(plain, quote=False)}</pre>'
        '<div class="tb-cite__format"><span class="tb-cite__name">BibTeX</span>'
        + copy_button(bib, "Copy", f"Copy BibTeX of {what}", f"BibTeX of {what} copied")
        + f'</div><pre class="tb-cite__text">{escape(bib, quote=False)}</pre></div>'
    )


def equation_bar(work: Work, anchor: str, label: str, title: str | None, tex: str) -> str:
    """Copy link, copy TeX and cite for one equation."""
    plain, bib = equation_citation(work, anchor, label, title)
    url = f"{work.url}#{anchor}"
    return (
        f'<div class="tb-cite-bar" role="group" aria-label="{_attr("Cite " + label)}">'
        + copy_button(url, "Copy link", f"Copy link to {label}", f"Link to {label} copied")
        + copy_button(tex, "Copy TeX", f"Copy TeX of {label}", f"TeX of {label} copied")
        + '<details class="tb-cite"><summary>Cite</summary>'
        + _formats(plain, bib, label)
        + "</details></div>"
    )


def chapter_block(work: Work) -> str:
    """ "Cite this chapter": plain text, BibTeX and the chapter's link."""
    plain, bib = chapter_citation(work)
    latest = work.latest()
    latest_button = (
        copy_button(latest, "Copy latest link", "Copy link to the latest edition", "Link copied")
        if latest
        else ""
    )
    return (
        '<details class="tb-cite tb-cite--chapter"><summary>Cite this chapter</summary>'
        + f'<p class="tb-cite__edition">{escape(work.version)}</p>'
        + _formats(plain, bib, "this chapter")
        + '<div class="tb-cite__format">'
        + copy_button(work.url, "Copy link", "Copy link to this chapter", "Link copied")
        + latest_button
        + "</div></details>"
    )


LIVE_REGION = '<div class="tb-live" role="status" aria-live="polite"></div>'


def equation_edits(doc: Document, work: Work, equations: Mapping[str, Anchor]) -> list[Edit]:
    """A cite bar at the end of each `.tb-equation` block of `doc` that `equations` knows."""
    edits = []
    for element in doc.elements:
        anchor = equations.get(element.attrs.get("id", ""))
        if "tb-equation" not in element.classes or anchor is None:
            continue
        bar = equation_bar(
            work, anchor.id, anchor.label or anchor.id, anchor.title, anchor.tex or ""
        )
        edits.append(Edit(element.close_start, element.close_start, bar))
    return edits


def chapter_edits(doc: Document, work: Work) -> list[Edit]:
    """ "Cite this chapter" after the chapter's facts strip (or its title)."""
    for cls, tag in (("tb-chapter-meta", None), (None, "h1")):
        element = next(
            (
                e
                for e in doc.elements
                if (cls is None or cls in e.classes) and (tag is None or e.tag == tag)
            ),
            None,
        )
        if element is not None:
            return [Edit(element.end, element.end, chapter_block(work))]
    return []


def work_of(
    meta: Mapping, page_title: str | None, edition: Edition, page: str, date: str, author: str
) -> Work:
    """A page of an edition as a citable work, from its front matter (title, volume, chapter,
    breadcrumb)."""
    crumbs = meta.get("breadcrumb") or []
    return Work(
        author=author,
        title=str(meta.get("title") or page_title or ""),
        url=edition.url(page),
        date=date,
        key=page.strip("/").replace("/", "-") or "home",
        volume=meta.get("volume"),
        series=str(crumbs[0]) if crumbs else None,
        chapter=meta.get("chapter"),
        edition=edition.number,
        latest_url=edition.latest_url(page),
    )
