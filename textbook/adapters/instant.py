"""MkDocs hook: resolve the relative URLs of each page's `<head>` before its body is parsed.

With `navigation.instant`, Material's bundle starts by making every relative `href` and `src` of
the document absolute (`resolve()` in its instant-navigation module: `el[key] = el[key]`). For a
`<link rel="stylesheet">` this makes Chromium process the stylesheet again: the style rules and
the `@font-face` fonts (KaTeX's) are rebuilt, and the whole page is restyled and laid out anew,
inside the bundle's task after the first paint, which is already a long task (on the chapter
page about 20 ms of main-thread time, and that many milliseconds of Total Blocking Time).

This hook ends every `<head>` with the same loop, limited to the head and written as Material
writes it. There, before any of the body exists, reprocessing a stylesheet costs next to nothing;
Material later finds nothing relative left in the head and leaves the stylesheets alone. The
result is the same document: Material still resolves the body's links and images itself.

Runs after the math hook (which adds KaTeX's stylesheet and font preloads to the head); the
script is inline, so textbook/adapters/security.py lists its hash in the Content-Security-Policy.
"""

from __future__ import annotations

# Material 9 (src/templates/assets/javascripts/integrations/instant/index.ts, resolve()).
SCRIPT = (
    'for(const e of document.head.querySelectorAll("[href],[src]"))for(const k of["href","src"])'
    "{const v=e.getAttribute(k);if(v&&!/^(?:[a-z]+:)?\\/\\//i.test(v)){e[k]=e[k];break}}"
)
TAG = f"<script>{SCRIPT}</script>"


def _instant(config) -> bool:
    return "navigation.instant" in (config.theme.get("features") or [])


def on_post_page(output: str, page, config) -> str:
    index = output.find("</head>")
    if not _instant(config) or index < 0:
        return output
    return f"{output[:index]}{TAG}\n{output[index:]}"


def on_post_template(output_content: str, template_name: str, config) -> str:
    if template_name.endswith(".html"):  # 404.html
        return on_post_page(output_content, None, config)
    return output_content
