"""Run Material's bundle and the page's scripts after the first frame, not before it.

Material ends every page with `<script src="…/bundle.….min.js">` and the `extra_javascript`
tags, all parser-blocking. The chapter's HTML arrives in one piece, so Chromium parses it to the
end and runs those scripts (Material's start-up: ~60–120 ms of main-thread time unthrottled)
before it paints anything: the first paint waits for JavaScript that draws nothing on it.

`defer_scripts` turns that tail into `<link rel="preload">` (`modulepreload` for modules), so
the files are fetched as early as before, and one inline loader that runs them in their order,
each in a task of its own, once the first frame has been produced (`requestAnimationFrame`,
then a task). The reach into Material: its bundle starts its `document$` on the document's
`DOMContentLoaded` (one listener, `{once: true}`) and exposes that subject as `window.document$`;
a bundle that runs after that event has passed would wait for it forever, so the loader emits
the document on `document$` itself, exactly where the event would have. Both facts are checked
against the installed Material by tests/unit/test_upstream.py. The loader notes the event itself
(its listener is added while the page is parsed, before any bundle's): if the bundle ran before
the event (a slow parse), Material's own listener emits, and the loader does not. `readyState`
cannot tell: it is already "interactive" a moment before the event is dispatched.
"""

from __future__ import annotations

import html as htmlmod
import re

BUNDLE_MARK = "assets/javascripts/bundle."
# The loader: a hidden page paints nothing and gets no animation frames, so it starts at once.
LOADER = (
    "(()=>{let d=0;document.addEventListener('DOMContentLoaded',()=>{d=1});"
    "const q=[...document.querySelectorAll('link[data-tb-run]')],"
    "n=()=>{const l=q.shift();if(!l)return;const s=document.createElement('script');"
    "if(l.rel==='modulepreload')s.type='module';s.src=l.href;"
    "s.onload=s.onerror=()=>{if(d&&l.hasAttribute('data-tb-material'))"
    "window.document$.next(document);n()};"
    "document.body.append(s)},t=()=>setTimeout(n,0);"
    "document.visibilityState==='hidden'?t():requestAnimationFrame(t)})()"
)
# Material's inline palette script applies a palette the reader chose before (localStorage);
# the default one, the first palette whose media query matches (the dark one for a reader whose
# system is dark), is set by the bundle. Run after the first frame, that would paint the light
# palette first: this script, put right after Material's, sets the default the bundle's way.
PALETTE_MARK = '<script>var palette=__md_get("__palette");'
PALETTE_DEFAULT = (
    "if(!__md_get('__palette')){const i=[...document.querySelectorAll('[data-md-color-media]')]"
    ".find(e=>matchMedia(e.getAttribute('data-md-color-media')).matches);if(i)"
    "for(const k of['media','scheme','primary','accent'])"
    "document.body.setAttribute('data-md-color-'+k,i.getAttribute('data-md-color-'+k))}"
)
_TAIL_SCRIPT_RE = re.compile(r"\s*<script\b(?P<attrs>[^>]*)>\s*</script>\s*$", re.I)
_TAIL_TEMPLATE_RE = re.compile(r"\s*(?P<element><template\b[^>]*>[^<]*</template>)\s*$", re.I)
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _attributes(text: str) -> dict[str, str]:
    found = {}
    for name, double, single, bare in _ATTR_RE.findall(text):
        found[name.lower()] = htmlmod.unescape(double or single or bare)
    return found


def _tail_scripts(body: str) -> tuple[int, list[dict[str, str]], str]:
    """The external scripts that end ``body`` (text before `</body>`): where they start, their
    attributes, and the inert `<template>`s among them (the scripts stage's feature table),
    which stay on the page."""
    scripts: list[dict[str, str]] = []
    templates: list[str] = []
    end = len(body)
    while True:
        if match := _TAIL_TEMPLATE_RE.search(body, 0, end):
            templates.insert(0, match["element"])
        elif (match := _TAIL_SCRIPT_RE.search(body, 0, end)) and "src" in (
            attrs := _attributes(match["attrs"])
        ):
            scripts.insert(0, attrs)
        else:
            return end, scripts, "".join(templates)
        end = match.start()


def defer_scripts(page: str, where: str) -> str:
    """The page with its trailing Material bundle and scripts run after the first paint."""
    close = page.rfind("</body>")
    if close < 0 or BUNDLE_MARK not in page:
        return page  # not a Material page (e.g. a redirect): nothing to move
    start, scripts, templates = _tail_scripts(page[:close])
    if not scripts or BUNDLE_MARK not in scripts[0]["src"]:
        raise ValueError(
            f"{where}: Material's bundle is no longer the first of the scripts that end the "
            "page; textbook/site/after_paint.py must be checked against this Material version"
        )
    links = []
    for attrs in scripts:
        module = attrs.get("type") == "module"
        rel = 'rel="modulepreload"' if module else 'rel="preload" as="script"'
        material = " data-tb-material" if BUNDLE_MARK in attrs["src"] else ""
        src = htmlmod.escape(attrs["src"], quote=True)
        links.append(f'<link {rel} href="{src}" data-tb-run{material}>')
    tail = "\n".join([*filter(None, [templates]), *links, f"<script>{LOADER}</script>"])
    page = f"{page[:start]}\n{tail}\n{page[close:]}"
    palette = page.find(PALETTE_MARK)
    if palette >= 0:
        end = page.index("</script>", palette) + len("</script>")
        page = f"{page[:end]}<script>{PALETTE_DEFAULT}</script>{page[end:]}"
    return page
