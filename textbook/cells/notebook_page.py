"""The companion notebook's page, made to read like the chapter's own code blocks.

mkdocs-jupyter puts nbconvert's whole JupyterLab stylesheet (about 600 kB, in `<style>`
elements inside the body: invalid HTML) and a copy-to-clipboard widget per cell (a
`<clipboard-copy>` element with a stray `,` attribute and an `aria-label` no role allows) into
the page; its Pygments colours fail contrast in both palettes, and each code cell scrolls in a
box the keyboard cannot reach. Here the page keeps the notebook's structure but none of that:
code cells become Material code blocks (Material's colours, its copy button, its keyboard
access), styles and widgets go, and the build-time outputs stay out of the search index like
the cells' outputs on the chapter page. `cells.css` lays the cells out.
"""

from __future__ import annotations

import re

from textbook.cells.output_cap import SEARCH_EXCLUDE

STYLE_RE = re.compile(r"<style\b[^>]*>.*?</style>\s*", re.DOTALL | re.IGNORECASE)
CLIPBOARD_RE = re.compile(
    r'<div class="zeroclipboard-container">\s*<clipboard-copy\b.*?</clipboard-copy>\s*</div>\s*',
    re.DOTALL,
)
# the widget's hidden copy of the code (plain escaped text, no elements inside)
CLIPBOARD_TEXT_RE = re.compile(r'<div class="clipboard-copy-txt" id="[^"]*">[^<]*</div>\s*')
CODE_RE = re.compile(
    r'<div class="highlight-ipynb hl-(?P<lang>[\w-]+)"><pre>(?:<span></span>)?(?P<code>.*?)</pre>'
    r"</div>",
    re.DOTALL,
)
# Material's search parser compares elements by tag name only: an excluded <div> stops being
# excluded at the first inner </div>. So the mark goes on the output's <pre>, which has none.
OUTPUT_RE = re.compile(r'(<div class="jp-RenderedText [^"]*"[^>]*>\s*)<pre>')
# nbconvert makes each cell's input and output focusable; nothing there takes input
FOCUSABLE_RE = re.compile(r'(<div class="(?:jp-Cell-inputWrapper|jp-RenderedText [^"]*)"[^>]*?)'
                          r' tabindex="0"')  # fmt: skip


def _code_block(match: re.Match) -> str:
    # focusable from the start: a long line scrolls, and Material's content.lazy would only
    # make it focusable once the block nears the viewport
    lang = match["lang"]
    return (
        f'<div class="language-{lang} highlight"><pre><span></span>'
        f'<code tabindex="0">{match["code"]}</code></pre></div>'
    )


def clean(html: str) -> str:
    """The notebook page's content without nbconvert's styles and widgets (see the module)."""
    html = STYLE_RE.sub("", html)
    html = CLIPBOARD_RE.sub("", html)
    html = CLIPBOARD_TEXT_RE.sub("", html)
    html = CODE_RE.sub(_code_block, html)
    html = FOCUSABLE_RE.sub(r"\1", html)
    return OUTPUT_RE.sub(rf"\1<pre {SEARCH_EXCLUDE}>", html)
