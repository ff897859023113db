"""Editions: which edition a build is, and the URLs that keep naming it.

A published edition lives at `<site root>/<number>/` (mike's layout) and never changes
afterwards; `<site root>/latest/` follows the newest one. A build outside `make edition` is the
unpublished draft ("dev"): its citations say so and carry no edition number.

The number reaches the build through `TEXTBOOK_EDITION` (set by `make edition`), or mike's own
`MIKE_DOCS_VERSION` when mike is run by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

EDITION_ENV = "TEXTBOOK_EDITION"
MIKE_ENV = "MIKE_DOCS_VERSION"  # what mike sets while it builds a version
DEV = "dev"
LATEST = "latest"
NUMBER_RE = re.compile(r"^\d+(\.\d+){0,2}$")  # 1, 1.0, 1.2.3
# Hosts that can never be the published site: the default of mkdocs.yml and the names RFC 2606
# reserves for examples.
PLACEHOLDER_HOST_RE = re.compile(r"(^|\.)(example\.(org|com|net)|example|invalid)$")


@dataclass(frozen=True)
class Edition:
    """The edition a build makes (`number` None: the unpublished draft) and the site's root."""

    number: str | None
    root_url: str  # the URL every edition lives under, ending in "/"

    @property
    def published(self) -> bool:
        return self.number is not None

    @property
    def label(self) -> str:
        return f"Edition {self.number}" if self.number else "Unpublished draft"

    def url(self, page: str, anchor: str | None = None) -> str:
        """The permanent URL of `page` (and `anchor`) in this edition."""
        prefix = f"{self.number}/" if self.number else ""
        return _join(self.root_url + prefix, page, anchor)

    def latest_url(self, page: str, anchor: str | None = None) -> str | None:
        """The same place in the newest edition; None for the draft (it has no editions)."""
        return _join(self.root_url + f"{LATEST}/", page, anchor) if self.number else None


def _join(base: str, page: str, anchor: str | None) -> str:
    return base + page.lstrip("/") + (f"#{anchor}" if anchor else "")


def number_from(env: Mapping[str, str]) -> str | None:
    """The edition number the environment asks for; None for the draft. Bad numbers are errors."""
    value = (env.get(EDITION_ENV) or env.get(MIKE_ENV) or "").strip()
    if value in ("", DEV):
        return None
    if not NUMBER_RE.match(value):
        raise ValueError(
            f"edition '{value}' is not a number such as 1.0 or 2.1 "
            f"({EDITION_ENV}, set by make edition VERSION=...)"
        )
    return value


def root_url(site_url: str, number: str | None) -> str:
    """site_url without the edition mike appends to it while building that edition."""
    url = site_url if site_url.endswith("/") else site_url + "/"
    if number and url.endswith(f"/{number}/"):
        url = url[: -len(number) - 1]
    return url


def current(site_url: str, env: Mapping[str, str]) -> Edition:
    number = number_from(env)
    return Edition(number, root_url(site_url or "/", number))


def placeholder_reason(site_url: str | None) -> str | None:
    """Why `site_url` cannot be the address of a published edition; None when it can."""
    if not site_url:
        return "site_url is not set"
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"site_url '{site_url}' is not an absolute http(s) URL"
    if PLACEHOLDER_HOST_RE.search(parts.hostname):
        return f"site_url '{site_url}' is a placeholder (an example domain)"
    return None
