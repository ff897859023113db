"""textbook.site.fingerprint: content-hashed asset names and the rewritten references."""

from __future__ import annotations

import hashlib

import pytest

from textbook.site.fingerprint import fingerprint_site, hashed_name, plan


def write(root, files: dict[str, str]):
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def test_hashed_name_is_the_sha256_of_the_bytes():
    assert hashed_name("assets/css/a.css", b"x") == f"assets/css/a.{digest('x')}.css"
    assert hashed_name("a.min.js", b"") == f"a.min.{digest('')}.js"


def test_pages_assets_are_renamed_and_every_reference_rewritten(tmp_path):
    write(
        tmp_path,
        {
            "index.html": '<link rel="stylesheet" href="assets/css/a.css">'
            '<script src="assets/js/b.js?v=1" type="module"></script>'
            '<link rel="stylesheet" href="assets/stylesheets/main.57a0d79d.min.css">'
            '<a href="https://x.org/assets/css/a.css">elsewhere</a>',
            "ch/page/index.html": "<link rel='stylesheet' href='../../assets/css/a.css'>",
            "404.html": '<script src="/mm/assets/js/b.js"></script>',
            "assets/css/a.css": "body{}",
            "assets/js/b.js": "let b",
            "assets/js/unused.js": "let u",
            "assets/cells/worker.js": "w",
            "assets/stylesheets/main.57a0d79d.min.css": "m",
        },
    )
    renames = fingerprint_site(tmp_path, "/mm/")
    a, b = f"assets/css/a.{digest('body{}')}.css", f"assets/js/b.{digest('let b')}.js"
    assert renames == {"assets/css/a.css": a, "assets/js/b.js": b}
    assert (tmp_path / a).read_text() == "body{}" and not (tmp_path / "assets/css/a.css").exists()
    home = (tmp_path / "index.html").read_text()
    assert f'href="{a}"' in home and f'src="{b}?v=1"' in home
    assert 'href="https://x.org/assets/css/a.css"' in home  # not this site's file
    assert 'href="assets/stylesheets/main.57a0d79d.min.css"' in home  # already hashed
    assert f"href='../../{a}'" in (tmp_path / "ch/page/index.html").read_text()
    assert f'src="/mm/{b}"' in (tmp_path / "404.html").read_text()
    assert (tmp_path / "assets/js/unused.js").exists()  # no page loads it
    assert (tmp_path / "assets/cells/worker.js").exists()


def test_a_stylesheet_is_hashed_after_the_file_it_imports_is_renamed():
    contents = {"s/a.css": b'@import "b.css"; p{background:url(../i/x.css)}', "s/b.css": b"q{}"}
    renames = plan(contents)
    b = f"s/b.{digest('q{}')}.css"
    assert renames["s/b.css"] == b
    rewritten = f'@import "b.{digest("q{}")}.css"; p{{background:url(../i/x.css)}}'
    assert contents["s/a.css"] == rewritten.encode()
    assert renames["s/a.css"] == f"s/a.{digest(rewritten)}.css"


def test_a_cycle_of_imports_is_an_error():
    with pytest.raises(ValueError, match="cycle"):
        plan({"a.css": b'@import "b.css";', "b.css": b'@import "a.css";'})


def test_two_runs_on_equal_sites_give_equal_names(tmp_path):
    for run in ("one", "two"):
        write(tmp_path / run, {"index.html": '<script src="x.js"></script>', "x.js": "1"})
    assert fingerprint_site(tmp_path / "one") == fingerprint_site(tmp_path / "two")


def test_only_attributes_named_href_or_src_count_and_a_query_or_fragment_is_kept(tmp_path):
    write(
        tmp_path,
        {
            "index.html": '<img data-xsrc="assets/js/b.js"><a datahref="assets/css/a.css">'
            '<script src="assets/js/b.js#top"></script><a href="page/">a page</a>',
            "other/index.html": '<p title="x">nothing loaded: <a href="../">home</a></p>',
            "assets/css/a.css": "body{}",
            "assets/js/b.js": "let b",
        },
    )
    renames = fingerprint_site(tmp_path)
    b = f"assets/js/b.{digest('let b')}.js"
    assert renames == {"assets/js/b.js": b}  # a.css is named by no href/src attribute
    home = (tmp_path / "index.html").read_text()
    assert f'<script src="{b}#top">' in home
    assert 'data-xsrc="assets/js/b.js"' in home and 'datahref="assets/css/a.css"' in home
    assert (tmp_path / "other/index.html").read_text().startswith('<p title="x">')
