"""MkDocs hook: site-wide hardening of the output.

- A Content-Security-Policy in every page (logic in `textbook.site.csp`): once every page is written
  (on_post_build, before hooks/output.py moves the site into place) the hook reads the inline
  scripts, `<style>`s and style attributes of every HTML file of the site, computes one policy
  allowing exactly those (by hash) and puts it first in each page's `<head>`. Under
  `mkdocs serve` no policy is added: the dev server injects an inline live-reload script into
  each page that changes with every build.
- `_headers` for static hosts (Netlify's format, `textbook.site.headers`): the same policy as an
  HTTP header, the Web Worker's own policy, `immutable` caching for content-hashed files (renamed by
  textbook/adapters/fingerprint.py just before, at -40).
- The print and accessibility stylesheets (`docs/assets/css/print.css`, `a11y.css`).
- Accessible names for Material's search dialog and loading bar, which have none.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File

import textbook.site.csp as csp
import textbook.site.headers as headers

log = get_plugin_logger("security")
PROJECT_DOCS = Path(__file__).resolve().parents[2] / "docs"
STYLESHEETS = ("assets/css/a11y.css", "assets/css/print.css")
# The markup to name, exactly as Material 9 writes it (axe: aria-dialog-name, -progressbar-name).
UNNAMED = {
    '<div class="md-search" data-md-component="search" role="dialog"': "Search",
    '<div class="md-progress" data-md-component="progress" role="progressbar"': "Loading page",
}
_build = {"serving": False}


def on_startup(command, dirty):
    _build["serving"] = command == "serve"


def on_config(config):
    for sheet in STYLESHEETS:
        if sheet not in config.extra_css:
            config.extra_css.append(sheet)
    return config


def on_files(files, config):
    for sheet in STYLESHEETS:  # sites whose docs/ lacks them (test fixtures)
        if files.get_file_from_path(sheet) is None:
            files.append(File.generated(config, sheet, abs_src_path=str(PROJECT_DOCS / sheet)))
    return files


def _name_widgets(output: str, where: str) -> str:
    for markup, name in UNNAMED.items():
        if markup not in output:
            raise PluginError(
                f"security: Material's markup changed, '{markup}>' is gone from {where}: "
                "update UNNAMED in textbook/adapters/security.py"
            )
        output = output.replace(markup, f'{markup} aria-label="{name}"')
    return output


def on_post_page(output, page, config):
    return _name_widgets(output, page.file.src_uri)


def on_post_template(output_content, template_name, config):
    if template_name.endswith(".html"):  # 404.html
        return _name_widgets(output_content, template_name)
    return output_content


def on_post_build(config):
    if _build["serving"]:
        log.info("no Content-Security-Policy under `mkdocs serve` (live reload is inline)")
        return
    site = Path(config.site_dir)
    pages = {path: path.read_text(encoding="utf-8") for path in sorted(site.rglob("*.html"))}
    policy = csp.site_policy(csp.inline_sources(text) for text in pages.values())
    for path, text in pages.items():
        try:
            path.write_text(csp.inject(text, policy), encoding="utf-8")
        except ValueError as error:
            raise PluginError(f"security: {path.relative_to(site)}: {error}") from None
    log.info(f"Content-Security-Policy in {len(pages)} pages ({len(policy)} characters)")
    files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    base_path = urlsplit(config.site_url or "/").path or "/"
    text = headers.headers_file(policy, files, base_path)
    (site / headers.FILE_NAME).write_text(text, encoding="utf-8")
