"""The site's Content-Security-Policy, computed from the built pages.

Every page gets the same `<meta http-equiv="Content-Security-Policy">`, first in its `<head>`:

- scripts only from the site itself, plus the inline scripts the pages really contain (three
  from Material's templates, one differing with the folder depth and one our palette script in
  overrides/, and the instant stage's head loop), allowed by their sha256 hashes; no
  `'unsafe-eval'`, no `'unsafe-inline'`;
- styles from the site itself, plus the inline `<style>` elements and `style="..."` attributes
  the pages contain, by hash (`'unsafe-hashes'` lets a hash match an attribute: KaTeX sizes its
  glyphs with them, the notebook page inlines nbconvert's stylesheet); the scripts add styles
  only through the CSSOM, which a policy does not restrict (Plotly's own `<style>` is turned off
  by the `plotly.js-style-global` marker of `instruments.js`; the cell editor injects none);
- images from the site and `data:` URLs (Plotly draws heatmaps as data images), fonts and
  `fetch` from the site only, workers from the site only, no plugins (`object-src 'none'`),
  `<base>` and form targets only on the site.

One policy for the whole site, not one per page: Material's instant navigation swaps pages
without a reload and appends the next page's `<head>` elements it lacks; a browser never drops a
policy it has applied, so differing per-page policies would pile up and block the next page's
own inline code. The union of every page's hashes is small (the same few scripts, ~120 KaTeX
style values).

What a `<meta>` policy cannot cover: it applies to its document only. The cells' Web Worker is
started from the site's own URL (`new Worker("…/assets/cells/worker.js")`), so its policy is the
one its HTTP response carries, not the page's; Pyodide compiles WebAssembly in that worker, never
in the page, so no page needs `'wasm-unsafe-eval'`. A host that sends a CSP header for the worker
must allow `script-src 'self' 'wasm-unsafe-eval'` there (the worker reports the block otherwise).
`frame-ancestors`, `report-to` and `sandbox` are ignored in `<meta>`: send them as headers.
"""

from __future__ import annotations

import base64
import hashlib
import html as htmlmod
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

META_NAME = "Content-Security-Policy"
# Types a browser executes; other <script> types (application/json, ld+json) are data.
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript"}
# A <script> or <style> element: raw text up to the first matching end tag. The body is what
# `.*?` (re.S) would match, written so that the engine skips text up to each "<" in one step
# instead of trying the end tag after every character (~15 ms per pass over a large page).
_RAW_ELEMENT_RE = re.compile(
    r"<(?P<tag>script|style)\b(?P<attrs>[^>]*)>"
    r"(?P<body>[^<]*(?:<(?!/(?P=tag)\s*>)[^<]*)*)</(?P=tag)\s*>",
    re.I,
)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.I)
_CHARSET_RE = re.compile(r"<meta\s+charset=[^>]*>", re.I)
_EXISTING_RE = re.compile(r"<meta\s[^>]*http-equiv=[\"']?content-security-policy", re.I)


def source_hash(text: str) -> str:
    """The CSP hash source of an inline script, style element or style attribute."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass(frozen=True)
class InlineSources:
    """Hash sources of the inline code of one or more pages."""

    scripts: frozenset[str] = field(default_factory=frozenset)
    styles: frozenset[str] = field(default_factory=frozenset)  # <style> elements
    style_attrs: frozenset[str] = field(default_factory=frozenset)

    def __or__(self, other: InlineSources) -> InlineSources:
        return InlineSources(
            self.scripts | other.scripts,
            self.styles | other.styles,
            self.style_attrs | other.style_attrs,
        )


# A start tag and its attributes (the HTML tokenizer's rules, as a regular expression: an
# HTMLParser pass over every built page cost more than the rest of this module).
_START_TAG_RE = re.compile(
    r"<[a-zA-Z][^\s/>]*(?P<attrs>(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?"
    r"|\s*/(?!>))*)\s*/?>"
)
_ATTRIBUTE_RE = re.compile(
    r"(?P<name>[^\s\"'>/=]+)(?:\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'=<>`]+)))?"
)


def _style_attributes(page: str) -> set[str]:
    """The decoded values of every `style` attribute of `page`'s elements."""
    # Script and style bodies are raw text and comments are no markup: drop them first.
    markup = _RAW_ELEMENT_RE.sub(
        lambda m: f"<{m.group('tag')}{m.group('attrs')}>", _COMMENT_RE.sub("", page)
    )
    values = set()
    # findall: the attributes of every start tag (its one group) without a match object each.
    for attrs in _START_TAG_RE.findall(markup):
        if "style" not in attrs.lower():
            continue
        for attribute in _ATTRIBUTE_RE.finditer(attrs):
            if attribute.group("name").lower() == "style":
                raw = next((v for v in attribute.group("dq", "sq", "bare") if v is not None), "")
                values.add(htmlmod.unescape(raw))
    return values


def _attribute(attrs: str, name: str) -> str | None:
    match = re.search(rf"(?:^|\s){name}\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", attrs, re.I)
    if match is None:
        return None
    return htmlmod.unescape(next(g for g in match.groups() if g is not None))


def inline_sources(page: str) -> InlineSources:
    """The hashes a policy must list for `page`'s inline scripts, `<style>`s and style attributes.

    Script and style bodies are hashed as written (the HTML parser does not decode them); a
    script with `src` or of a non-JavaScript type (JSON data) needs no hash.
    """
    scripts, styles = set(), set()
    for match in _RAW_ELEMENT_RE.finditer(_COMMENT_RE.sub("", page)):
        attrs, body = match.group("attrs"), match.group("body")
        if match.group("tag").lower() == "style":
            styles.add(source_hash(body))
            continue
        kind = (_attribute(attrs, "type") or "").strip().lower()
        if _attribute(attrs, "src") is None and kind in _JS_TYPES:
            scripts.add(source_hash(body))
    return InlineSources(
        frozenset(scripts), frozenset(styles), frozenset(map(source_hash, _style_attributes(page)))
    )


def site_policy(pages: Iterable[InlineSources]) -> str:
    """One policy allowing the inline code of every page (see the module docstring)."""
    sources = InlineSources()
    for page in pages:
        sources |= page
    style = ["'self'", *sorted(sources.styles | sources.style_attrs)]
    if sources.style_attrs:
        style.insert(1, "'unsafe-hashes'")
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'", *sorted(sources.scripts)]),
        ("style-src", style),
        ("img-src", ["'self'", "data:"]),
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'"]),
        ("worker-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def inject(page: str, policy: str) -> str:
    """`page` with the policy's `<meta>` first in `<head>` (after `<meta charset>`).

    A policy only governs what the parser meets after it, so it must precede every script,
    style and link. Raises ValueError for a page without `<head>` or with a policy already.
    """
    if _EXISTING_RE.search(page):
        raise ValueError("the page already has a Content-Security-Policy <meta>")
    head = _HEAD_RE.search(page)
    if head is None:
        raise ValueError("the page has no <head>")
    charset = _CHARSET_RE.search(page, head.end())
    at = charset.end() if charset and not page[head.end() : charset.start()].strip() else head.end()
    content = policy.replace("&", "&amp;").replace('"', "&quot;")
    meta = f'<meta http-equiv="{META_NAME}" content="{content}">'
    return page[:at] + "\n    " + meta + page[at:]


def meta_policy(page: str) -> str | None:
    """The policy of `page`'s CSP `<meta>`, or None."""
    match = re.search(rf'<meta http-equiv="{META_NAME}" content="(?P<policy>[^"]*)">', page, re.I)
    return htmlmod.unescape(match.group("policy")) if match else None
