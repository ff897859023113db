"""textbook.site.csp: hashes of inline code, the site policy, its <meta> in the page."""

from __future__ import annotations

import base64
import hashlib

import pytest

from textbook.site.csp import InlineSources, inject, inline_sources, meta_policy, site_policy


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


PAGE = """<!doctype html>
<html><head>
  <meta charset="utf-8">
  <script>var a = "<b>";</script>
  <script type="module">import "./m.js";</script>
  <script id="__config" type="application/json">{"x": 1}</script>
  <script src="bundle.js"></script>
  <style>p { color: red }</style>
</head><body>
  <!-- <script>commented()</script> -->
  <p style="height:1em;">x</p><span style="color:&quot;red&quot;"></span><i style="height:1em;"></i>
  <template><b style="top:-2em"></b></template>
</body></html>
"""


def test_inline_sources_hash_what_the_browser_runs():
    found = inline_sources(PAGE)
    assert found.scripts == {sha('var a = "<b>";'), sha('import "./m.js";')}  # not JSON, not src
    assert found.styles == {sha("p { color: red }")}
    # attribute values are hashed as the DOM holds them (entities decoded), templates included
    assert found.style_attrs == {sha("height:1em;"), sha('color:"red"'), sha("top:-2em")}


def test_policy_is_strict_and_lists_every_page_hash_once():
    one = InlineSources(frozenset({"'sha256-B'"}), frozenset(), frozenset({"'sha256-S'"}))
    two = InlineSources(frozenset({"'sha256-A'", "'sha256-B'"}))
    policy = dict(d.split(" ", 1) for d in site_policy([one, two]).split("; "))
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self' 'sha256-A' 'sha256-B'",
        "style-src": "'self' 'unsafe-hashes' 'sha256-S'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    assert "unsafe-hashes" not in site_policy([two])  # only when style attributes need it


def test_meta_goes_first_in_head_after_charset():
    policy = site_policy([inline_sources(PAGE)])
    page = inject(PAGE, policy)
    assert meta_policy(page) == policy
    assert page.index('<meta charset="utf-8">') < page.index("Content-Security-Policy")
    assert page.index("Content-Security-Policy") < page.index("<script")
    assert inject("<html><head><title>t</title></head></html>", "x").startswith(
        '<html><head>\n    <meta http-equiv="Content-Security-Policy" content="x">'
    )


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ("<html><body>no head</body></html>", "no <head>"),
        (inject(PAGE, "default-src 'self'"), "already has"),
    ],
)
def test_inject_refuses_pages_it_cannot_protect(page, problem):
    with pytest.raises(ValueError, match=problem):
        inject(page, "default-src 'self'")


TRICKY = """<div title="a>b" style="color: red">x</div>
<p data-x='style="nope"' STYLE='top: 1px'>y</p>
<img alt="" style=height:2em src=x.png/>
<script>document.write('<b style="in-script">')</script>
<!-- <i style="in-comment"></i> -->
<textarea>plain &lt;b style="escaped"&gt;</textarea>
<span
  class="k"
  style="left: &amp;0"
></span>
<br style="">
"""


def test_style_attributes_match_the_html_parser():
    from html.parser import HTMLParser

    class Reference(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.values = set()

        def handle_starttag(self, tag, attrs):
            self.values |= {v for k, v in attrs if k == "style" and v is not None}

        handle_startendtag = handle_starttag

    for page in (PAGE, TRICKY):
        reference = Reference()
        reference.feed(page)
        reference.close()
        assert inline_sources(page).style_attrs == set(map(sha, reference.values))
    assert inline_sources(TRICKY).style_attrs == {
        sha(v) for v in ("color: red", "top: 1px", "height:2em", "left: &0", "")
    }
