"""textbook.math.katex: the node KaTeX renderer, its protocol, errors and disk cache."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import pytest

from tests.damage import DAMAGES
from textbook.math import katex
from textbook.math.katex import KatexError, KatexRenderer, TexError

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "js" / "katex-server.mjs"


@pytest.fixture(scope="module")
def renderer():
    with KatexRenderer(ROOT) as r:
        yield r


def test_inline_formula_has_html_mathml_and_tex_annotation(renderer):
    html = renderer.render(r"\frac{a}{b} < \mathbb{R}^{3}", display=False)
    assert html.startswith('<span class="katex">')
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in html
    assert (
        '<annotation encoding="application/x-tex">\\frac{a}{b} &lt; \\mathbb{R}^{3}</annotation>'
        in html
    )
    assert '<span class="katex-html" aria-hidden="true">' in html
    assert "katex-display" not in html


def test_display_formula_is_display_mode(renderer):
    html = renderer.render(r"\sum_{i=1}^{n} x_i", display=True)
    assert html.startswith('<span class="katex-display">')
    assert 'display="block"' in html


def test_render_many_keeps_order_and_duplicates(tmp_path):
    items = [("a", False), ("b", True), ("a", False), ("c", False)]
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
        out = r.render_many(items)
        assert [r.rendered, r.cached] == [3, 1]  # the second "a" is typeset once
    assert out[0] == out[2] != out[3]
    assert "<mi>b</mi>" in out[1] and "katex-display" in out[1]


@pytest.mark.parametrize(
    ("tex", "position", "length", "rest", "words"),
    [
        ("\\frac{1}{", 9, 0, "", "Unexpected end of input"),
        ("\\badcommand", 0, 11, "\\badcommand", "Undefined control sequence: \\badcommand"),
        # a control word's token takes the space after it
        ("a + \\badcommand x", 4, 12, "\\badcommand x", "Undefined control sequence"),
        ("x^{2", 4, 0, "", "Expected '}', got 'EOF' at end of input"),
    ],
)
def test_bad_tex_raises_tex_error_with_position(renderer, tex, position, length, rest, words):
    with pytest.raises(TexError) as caught:
        renderer.render(tex, display=False)
    err = caught.value
    assert (err.tex, err.position, err.length, err.display) == (tex, position, length, False)
    assert err.tex[err.position :] == rest
    assert err.message.startswith("KaTeX parse error: ") and words in err.message
    assert "\u0332" not in err.message and "\n" not in err.message


def test_strict_mode_rejects_unicode_text_in_math(renderer):
    with pytest.raises(TexError, match="strict mode") as caught:
        renderer.render("café", display=False)
    assert caught.value.position == 3


@pytest.mark.parametrize(
    ("tex", "rest"),
    [
        ("𝐱 + \\frac{a}{", ""),  # U+1D431 is two UTF-16 units: KaTeX says 14, Python 13
        ("𝐱𝐲 \\badcommand", "\\badcommand"),
        ("𝐱𝐲𝐳 = \\badcommand+𝐱", "\\badcommand+𝐱"),
    ],
)
def test_position_is_converted_from_utf16_units(renderer, tex, rest):
    with pytest.raises(TexError) as caught:
        renderer.render(tex, display=False)
    assert tex[caught.value.position :] == rest
    if rest:
        assert caught.value.length == len("\\badcommand")


@pytest.mark.parametrize(
    ("text", "units", "index"),
    [
        ("abc", 0, 0),
        ("abc", 2, 2),
        ("abc", 3, 3),
        ("abc", 9, 3),
        ("𝐱b", 2, 1),
        ("𝐱b", 3, 2),
        ("a𝐱𝐱b", 5, 3),
        ("é𝐱", 1, 1),  # é is one unit (BMP)
    ],
)
def test_utf16_to_index(text, units, index):
    assert katex.utf16_to_index(text, units) == index


def test_clean_message_strips_underlines_and_newlines():
    raw = "KaTeX parse error: Undefined control sequence: \\bad at position 1: \\̲b̲a̲d̲\nx"
    assert katex.clean_message(raw) == (
        "KaTeX parse error: Undefined control sequence: \\bad at position 1: \\bad x"
    )


def test_good_formulas_of_a_failing_batch_are_cached(tmp_path):
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
        with pytest.raises(TexError, match="badcommand"):
            r.render_many([("a", False), ("\\badcommand", False), ("b", True)])
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
        r.render_many([("a", False), ("b", True)])
        assert (r.rendered, r.cached, r.started) == (0, 2, False)


def test_first_bad_formula_in_order_is_reported(renderer):
    with pytest.raises(TexError) as caught:
        renderer.render_many([("x", False), ("\\frac{", True), ("\\nope", False)])
    assert caught.value.tex == "\\frac{" and caught.value.display is True


def test_warm_cache_typesets_nothing_and_never_starts_node(tmp_path):
    items = [(f"x_{{{i}}} + \\frac{{{i}}}{{2}}", i % 2 == 0) for i in range(30)]
    with KatexRenderer(ROOT, cache_dir=tmp_path) as cold:
        first = cold.render_many(items)
        assert (cold.rendered, cold.cached, cold.started) == (30, 0, True)
    assert len(list(tmp_path.glob("*.json"))) == 30
    assert not list(tmp_path.glob(".*"))  # no temp files left behind
    with KatexRenderer(ROOT, cache_dir=tmp_path) as warm:
        assert warm.render_many(items) == first
        assert (warm.rendered, warm.cached, warm.started) == (0, 30, False)


def test_prune_keeps_the_formulas_asked_for_and_deletes_the_rest(tmp_path):
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
        r.render_many([("a", False), ("b", False), ("c", True)])
    entries = {path.name for path in tmp_path.glob("*.json")}
    assert len(entries) == 3
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:  # "b" edited into "b'"
        r.render_many([("a", False), ("b'", False), ("c", True)])
        stale = r.cache.prune()
    gone = {katex.cache_key(r.version, False, "b") + ".json"}
    assert {path.name for path in stale} == gone
    left = {path.name for path in tmp_path.glob("*.json")}
    assert left == (entries - gone) | {katex.cache_key(r.version, False, "b'") + ".json"}
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:  # what is left serves the page whole
        r.render_many([("a", False), ("b'", False), ("c", True)])
        assert (r.rendered, r.cached) == (0, 3)


def test_cache_entries_are_verified_entries_of_the_formula_html(tmp_path):
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
        html = r.render("y^2")
    (entry,) = tmp_path.glob("*.json")
    assert entry.stem == katex.cache_key(r.version, False, "y^2")
    assert katex.DiskCache(tmp_path).get(entry.stem) == html


@pytest.mark.parametrize(("what", "damage"), DAMAGES.items(), ids=DAMAGES.keys())
def test_damaged_cache_entry_is_rendered_again(tmp_path, caplog, what, damage):
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
        good = r.render("z + 1")
    (entry,) = tmp_path.glob("*.json")
    damage(entry)
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.textbook.cache"):
        with KatexRenderer(ROOT, cache_dir=tmp_path) as r:
            assert r.render("z + 1") == good
            assert (r.rendered, r.cached) == (1, 0)
    logged = f"discarded damaged KaTeX cache entry {entry}" in caplog.text
    assert logged == (what != "missing")
    with KatexRenderer(ROOT, cache_dir=tmp_path) as r:  # repaired on disk
        assert r.render("z + 1") == good and r.cached == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("0.19.1", False, "x"), ("0.19.1", True, "x")),
        (("0.19.1", False, "x"), ("0.19.0", False, "x")),
        (("0.19.1", False, "x"), ("0.19.1", False, "x ")),
    ],
)
def test_cache_key_covers_version_display_and_tex(a, b):
    assert katex.cache_key(*a) != katex.cache_key(*b)
    assert katex.cache_key(*a) == katex.cache_key(*a)


def test_large_pipelined_batch_does_not_deadlock():
    # ~200 KB of requests and several MB of answers: more than any pipe buffer holds.
    items = [
        (" + ".join(f"\\frac{{x_{{{i}}}}}{{{j}}}" for j in range(15)), True) for i in range(600)
    ]
    with KatexRenderer(ROOT, timeout=120) as r:
        out = r.render_many(items)
    assert len(out) == 600 and all("katex-display" in html for html in out)
    assert sum(map(len, out)) > 4_000_000


def test_renderer_restarts_after_the_process_dies():
    with KatexRenderer(ROOT) as r:
        r.render("a")
        r._proc.kill()
        with pytest.raises(KatexError, match="KaTeX server stopped"):
            r.render("b")
        assert not r.started
        assert "<mi>c</mi>" in r.render("c")  # a fresh process


def test_close_is_idempotent_and_renderer_reusable():
    r = KatexRenderer(ROOT)
    assert not r.started
    r.close()
    assert "<mi>d</mi>" in r.render("d")
    r.close()
    r.close()
    assert "<mi>e</mi>" in r.render("e")
    r.close()


def test_missing_katex_says_run_make_setup(tmp_path):
    with pytest.raises(KatexError, match="make setup"):
        KatexRenderer(tmp_path)


def test_missing_node_says_run_make_setup():
    with KatexRenderer(ROOT, node="no-such-node-binary") as r:  # started lazily
        with pytest.raises(KatexError, match="node not found on PATH.*make setup"):
            r.render("x")


def test_server_speaks_json_lines_only():
    requests = [
        {"id": 1, "tex": "x^2", "display": False},
        {"id": 2, "tex": "\\frac{1}{", "display": True},
        "not json",
        {"id": 3, "tex": 5, "display": False},
    ]
    stdin = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)
    done = subprocess.run(
        ["node", str(SERVER)], input=stdin, capture_output=True, text=True, timeout=60, check=True
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0] == {"ready": {"katex": katex.katex_version(ROOT), "options": katex.OPTIONS}}
    assert lines[1]["id"] == 1 and "<math" in lines[1]["html"]
    assert lines[2]["id"] == 2 and set(lines[2]["error"]) == {"message", "position", "length"}
    assert lines[2]["error"]["position"] == 9
    assert lines[3]["id"] is None and "bad request line" in lines[3]["error"]["message"]
    assert lines[4]["id"] == 3 and lines[4]["error"]["position"] is None
    assert len(lines) == 5 and done.stderr == ""


def test_katex_is_the_pinned_version():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert katex.katex_version(ROOT) == package["dependencies"]["katex"]
