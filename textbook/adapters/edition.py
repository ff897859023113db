"""MkDocs hook: which edition this build is (`textbook.site.edition`); what a published one adds.

A build made by `make edition` (TEXTBOOK_EDITION set; see textbook/site/publish.py) is a published
edition: Material's version selector is switched on (`extra.version`, provider mike: it reads
`versions.json` one level above the edition), and `assets/js/edition.js` points the "outdated
edition" banner (overrides/main.html) at the same place in the latest edition. Such a build
refuses a placeholder site_url: its citations carry its URL. A plain build is the unpublished
draft and gets neither.
"""

from __future__ import annotations

import os

from mkdocs.exceptions import PluginError

import textbook.site.edition as editions

SCRIPT = "assets/js/edition.js"
VERSION_SELECTOR = {"provider": "mike", "default": editions.LATEST, "alias": True}


def on_config(config):
    try:
        edition = editions.current(config.site_url or "/", os.environ)
    except ValueError as error:
        raise PluginError(f"edition: {error}") from None
    config.extra["edition"] = edition.number or editions.DEV
    if edition.published:
        reason = editions.placeholder_reason(config.site_url)
        if reason:
            raise PluginError(
                f"edition {edition.number}: {reason}; set SITE_URL to the published address"
            )
        config.extra["version"] = dict(VERSION_SELECTOR)
        if SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(SCRIPT)
    return config
