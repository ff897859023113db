"""Stage adapter: Material's bundle and the page's scripts run after the first paint
(logic and the reason in `textbook.site.after_paint`).

Runs last on each page (after `instant`, which ends the head), and on `404.html`, which MkDocs
renders as a template.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

import textbook.site.after_paint as after_paint


def on_post_page(output: str, page, config) -> str:
    where = page.file.src_uri if page is not None else "404.html"
    try:
        return after_paint.defer_scripts(output, where)
    except ValueError as error:
        raise PluginError(str(error)) from error


def on_post_template(output_content: str, template_name: str, config) -> str:
    if template_name.endswith(".html"):  # 404.html
        return on_post_page(output_content, None, config)
    return output_content
