"""textbook.site.edition: the edition number a build makes, its URLs, and placeholder site URLs."""

from __future__ import annotations

import pytest

from textbook.site.edition import Edition, current, number_from, placeholder_reason, root_url


@pytest.mark.parametrize(
    ("env", "number"),
    [
        ({}, None),
        ({"TEXTBOOK_EDITION": ""}, None),
        ({"TEXTBOOK_EDITION": "dev"}, None),
        ({"TEXTBOOK_EDITION": " 1.0 "}, "1.0"),
        ({"TEXTBOOK_EDITION": "2"}, "2"),
        ({"MIKE_DOCS_VERSION": "1.2.3"}, "1.2.3"),
        ({"TEXTBOOK_EDITION": "2.0", "MIKE_DOCS_VERSION": "1.0"}, "2.0"),
    ],
)
def test_number_from_the_environment(env, number):
    assert number_from(env) == number


@pytest.mark.parametrize("bad", ["latest", "v1.0", "1.0-beta", "1..0", "../x", "1.2.3.4"])
def test_a_number_that_is_not_an_edition_number_is_an_error(bad):
    with pytest.raises(ValueError, match=f"edition '{bad}' is not a number such as 1.0"):
        number_from({"TEXTBOOK_EDITION": bad})


@pytest.mark.parametrize(
    ("site_url", "number", "root"),
    [
        ("https://x.org/mm/", None, "https://x.org/mm/"),
        ("https://x.org/mm", None, "https://x.org/mm/"),
        ("https://x.org/mm/1.0", "1.0", "https://x.org/mm/"),  # what mike makes of site_url
        ("https://x.org/mm/1.0/", "1.0", "https://x.org/mm/"),
        ("https://x.org/mm/", "1.0", "https://x.org/mm/"),
        ("https://x.org/11.0/", "1.0", "https://x.org/11.0/"),
    ],
)
def test_root_url_drops_the_edition_mike_appends(site_url, number, root):
    assert root_url(site_url, number) == root


def test_urls_of_a_published_edition_and_of_the_draft():
    published = current("https://x.org/mm/1.0", {"TEXTBOOK_EDITION": "1.0"})
    assert published == Edition("1.0", "https://x.org/mm/")
    assert published.url("01-cv/", "eq-a") == "https://x.org/mm/1.0/01-cv/#eq-a"
    assert published.latest_url("01-cv/", "eq-a") == "https://x.org/mm/latest/01-cv/#eq-a"
    assert published.url("") == "https://x.org/mm/1.0/"
    assert (published.published, published.label) == (True, "Edition 1.0")
    draft = current("https://x.org/mm/", {})
    assert draft.url("01-cv/") == "https://x.org/mm/01-cv/"
    assert draft.latest_url("01-cv/") is None
    assert (draft.published, draft.label) == (False, "Unpublished draft")


@pytest.mark.parametrize(
    ("site_url", "reason"),
    [
        ("https://textbook.example.org/multimodal/", "is a placeholder"),
        ("https://example.com/", "is a placeholder"),
        ("http://docs.example/", "is a placeholder"),
        ("https://site.invalid/x/", "is a placeholder"),
        ("", "site_url is not set"),
        (None, "site_url is not set"),
        ("/multimodal/", "is not an absolute http(s) URL"),
        ("ftp://host.org/x/", "is not an absolute http(s) URL"),
    ],
)
def test_placeholder_site_urls_cannot_be_published(site_url, reason):
    assert reason in placeholder_reason(site_url)


@pytest.mark.parametrize(
    "site_url",
    ["https://encyclopedia.github.io/multimodal/", "http://127.0.0.1:8123/multimodal/",
     "https://notexample.org/"],
)  # fmt: skip
def test_real_site_urls_can_be_published(site_url):
    assert placeholder_reason(site_url) is None
