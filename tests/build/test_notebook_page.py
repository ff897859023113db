"""The companion notebook page is plain, valid HTML like the chapter's
(textbook.cells.notebook_page): no stylesheet inside the body, no widget misusing aria-label,
no malformed attribute, code as Material code blocks, outputs out of the search index. The W3C
Nu checker is no dependency of the project, so these are the error classes it reported on this
page, checked with a parser."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import ROOT

NOTEBOOK = "notebooks/01-computer-vision/index.html"
ATTRIBUTE_NAME_RE = re.compile(r"^[a-z][a-z0-9_.:-]*$")
# elements whose implicit role allows a name (or that are named by their content); others
# need an explicit role for aria-label to mean anything
NAMEABLE = {"a", "button", "input", "select", "textarea", "nav", "aside", "section", "form",
            "img", "svg", "iframe", "dialog", "table", "details", "summary", "main", "header",
            "footer", "label", "output", "meter", "progress", "area"}  # fmt: skip


class Walk(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.problems: list[str] = []
        self.code_blocks = 0

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "body":
            self.in_body = True
        if tag == "style" and self.in_body:
            self.problems.append(f"<style> in body at line {self.getpos()[0]}")
        if "-" in tag:
            self.problems.append(f"custom element <{tag}> at line {self.getpos()[0]}")
        for name, _ in attrs:
            if not ATTRIBUTE_NAME_RE.match(name):
                self.problems.append(f"attribute {name!r} on <{tag}> at line {self.getpos()[0]}")
        if "aria-label" in names and tag not in NAMEABLE and "role" not in names:
            self.problems.append(f"aria-label on <{tag}> without a role at {self.getpos()[0]}")
        if tag == "code" and names.get("tabindex") == "0":
            self.code_blocks += 1


@pytest.fixture(scope="module")
def notebook_html(built_site) -> str:
    return (built_site / NOTEBOOK).read_text(encoding="utf-8")


def test_the_notebook_page_has_none_of_the_error_classes_the_nu_checker_found(notebook_html):
    walk = Walk()
    walk.feed(notebook_html)
    assert walk.problems == []
    assert walk.code_blocks == notebook_html.count('jp-CodeCell jp-Notebook-cell" id=') == 3
    assert "clipboard-copy" not in notebook_html and "highlight-ipynb" not in notebook_html
    assert len(notebook_html.encode()) < 150_000  # was ~700 kB, most of it nbconvert's CSS


def test_notebook_outputs_stay_out_of_the_search_index(built_site, notebook_html):
    outputs = re.findall(r"jp-OutputArea-output[^>]*>\s*<pre>(.*?)</pre>", notebook_html, re.S)
    assert len(outputs) == 3
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    code = "".join(p.read_text("utf-8") for p in sorted((ROOT / "cells").glob("*.py")))
    printed = {line.strip() for out in outputs for line in html.unescape(out).splitlines()}
    printed = {line for line in printed if len(line) > 12 and line not in code}
    assert len(printed) >= 5  # lines only the outputs hold (not a string literal of a cell)
    assert [line for line in printed if line in text] == []
    assert any(doc["location"].startswith("notebooks/01-computer-vision/") for doc in index["docs"])
