"""Published anchors never break: the guard, the aliases, and the published list.

`anchors/published.json` lists every anchor ever published (id, kind, page); `guard` fails the
build when one of them is gone without an alias in `anchors/aliases.yml` (old id -> new id), and
returns the redirects that keep old URLs working. `python -m textbook.anchors --publish`
rewrites the published list on purpose.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from textbook.anchors.registry import (
    ALIASES,
    GUARD_ENV,
    ID_RE,
    PUBLISHED,
    Registry,
    absolute_url,
)
from textbook.core.errors import SourceError, find_line

# -- published anchors and aliases ---------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """An anchor as `anchors/published.json` records it: its id, its kind and its page."""

    id: str
    kind: str
    page: str

    @classmethod
    def from_json(cls, item: dict) -> Published:
        """From an `{id, kind, page}` object (the published list's, or the registry's)."""
        return cls(str(item["id"]), str(item["kind"]), str(item["page"]))


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
        entries.append(Published.from_json(item))
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
    now = {item["id"]: Published.from_json(item) for item in current}
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
