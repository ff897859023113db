"""Published editions (real git, real mike): what the gh-pages branch holds after publishing
1.0, changing EQ MM1.2 and renaming an anchor, and publishing 2.0; and what publishing refuses.
The browser half (sub-path, version selector, banner) is tests/browser/test_editions.py."""

from __future__ import annotations

import html
import json
import os
import re

import pytest

from tests.editions import (
    CHAPTER,
    NEW_FORMULA,
    OLD_FORMULA,
    REMOVED,
    RENAMED,
    git,
    publish,
)


@pytest.fixture(scope="module")
def editions(published_editions):
    return published_editions


def chapter(editions, name: str) -> str:
    return (editions.edition(name) / CHAPTER / "index.html").read_text(encoding="utf-8")


def copied(page_html: str, label: str) -> dict[str, str]:
    """What the copy buttons of one equation's bar copy, by button name."""
    found = re.findall(
        rf'aria-label="Copy (\w+(?: \w+)?) (?:of|to) {re.escape(label)}" '
        r'data-tb-copy="([^"]*)"',
        page_html,
    )
    return {name: html.unescape(value) for name, value in found}


def anchors_json(editions, name: str) -> dict:
    return json.loads((editions.edition(name) / "anchors.json").read_text(encoding="utf-8"))


def test_branch_holds_both_editions_latest_and_the_version_list(editions):
    root = editions.edition("")
    versions = json.loads((root / "versions.json").read_text())
    assert versions == [
        {"version": "2.0", "title": "2.0", "aliases": ["latest"]},
        {"version": "1.0", "title": "1.0", "aliases": []},
    ]
    assert os.readlink(root / "latest") == "2.0"
    assert 'href="latest/"' in (root / "index.html").read_text()  # the root goes to latest
    assert "latest/ now shows it" in editions.outputs["2.0"]


@pytest.mark.parametrize("name", ["1.0", "2.0"])
def test_each_edition_keeps_its_own_pages_and_assets(editions, name):
    edition = editions.edition(name)
    for path in [
        "index.html",
        f"{CHAPTER}index.html",
        "equations/index.html",
        "anchors.json",
        "sitemap.xml",
        "search/search_index.json",
        "assets/cells/worker.js",
        "notebooks/01-computer-vision/index.html",
        "notebooks/01-computer-vision/01-computer-vision.ipynb",
    ]:
        assert (edition / path).is_file(), f"{name}/{path}"
    for script in ("edition", "instruments"):  # renamed by content hash
        assert len(list((edition / "assets" / "js").glob(f"{script}.*.js"))) == 1, script
    for folder in ("assets/figures", "assets/vendor/plotly", "assets/pyodide"):
        assert any((edition / folder).iterdir()), f"{name}/{folder} is empty"


def test_edition_1_keeps_the_old_formula_and_2_has_the_new(editions):
    old = copied(chapter(editions, "1.0"), "EQ MM1.2")["TeX"]
    new = copied(chapter(editions, "2.0"), "EQ MM1.2")["TeX"]
    assert OLD_FORMULA.removesuffix(", \\qquad") in old and NEW_FORMULA not in old
    assert NEW_FORMULA.removesuffix(", \\qquad") in new and OLD_FORMULA not in new


@pytest.mark.parametrize("name", ["1.0", "2.0"])
def test_citations_name_their_edition_and_its_permanent_url(editions, name):
    site_url = editions.site_url
    copies = copied(chapter(editions, name), "EQ MM1.2")
    permanent = f"{site_url}{name}/{CHAPTER}#eq-mm1-2"
    latest = f"{site_url}latest/{CHAPTER}#eq-mm1-2"
    assert copies["link"] == permanent
    assert (
        f"Edition {name} of 2026-01-01. {permanent} (latest edition: {latest})"
        in (copies["citation"])
    )
    bib = copies["BibTeX"]
    assert f"  edition      = {{{name}}}," in bib
    assert f"  url          = {{{permanent}}}," in bib
    assert "latest/" + CHAPTER + r"\#eq-mm1-2}" in bib
    page = chapter(editions, name)
    assert f'<meta name="citation_public_url" content="{site_url}{name}/{CHAPTER}">' in page
    assert f'<meta name="citation_edition" content="{name}">' in page
    assert f'<p class="tb-cite__edition">Edition {name} of 2026-01-01</p>' in page


def test_anchors_json_records_the_edition_and_the_alias(editions):
    site_url = editions.site_url
    first, second = anchors_json(editions, "1.0"), anchors_json(editions, "2.0")
    assert (first["edition"], second["edition"]) == ("1.0", "2.0")
    assert first["site_url"].rstrip("/") == site_url + "1.0"
    ids = {a["id"]: a for a in first["anchors"]}
    assert ids[REMOVED]["url"] == f"{site_url}1.0/{CHAPTER}#{REMOVED}"
    assert REMOVED not in {a["id"] for a in second["anchors"]}
    assert {"id": REMOVED, "target": RENAMED} in [
        {"id": a["id"], "target": a["target"]} for a in second["aliases"]
    ]


def test_old_edition_has_the_outdated_banner_and_the_version_selector_config(editions):
    page = chapter(editions, "1.0")
    assert 'class="tb-outdated__link" href="../../latest/01-computer-vision/"' in page
    assert "You are reading edition 1.0, which is not the latest" in page
    assert '"version": {"alias": true, "default": "latest", "provider": "mike"}' in page
    # Material's early banner script, with its relative base resolved (overrides/partials).
    assert 'base=new URL("..",location),outdated=__md_get("__outdated"' in page


def test_an_edition_is_never_overwritten(editions):
    before = git(editions.project, "rev-parse", "gh-pages")
    again = publish(editions.project, "1.0", editions.site_url)
    assert again.returncode == 2
    assert "edition 1.0 is already published on branch 'gh-pages'" in again.stderr
    assert git(editions.project, "rev-parse", "gh-pages") == before


@pytest.mark.parametrize(
    ("site_url", "reason"),
    [
        ("https://textbook.example.org/multimodal/", "is a placeholder (an example domain)"),
        ("/multimodal/", "The URL isn't valid, it should include the http:// (scheme)"),
    ],
)
def test_publishing_refuses_a_placeholder_site_url(editions, site_url, reason):
    before = git(editions.project, "rev-parse", "gh-pages")
    refused = publish(editions.project, "3.0", site_url=site_url)
    assert refused.returncode == 2
    assert "make edition: refusing to publish: " in refused.stderr
    assert reason in refused.stderr and "Traceback" not in refused.stderr
    assert git(editions.project, "rev-parse", "gh-pages") == before
