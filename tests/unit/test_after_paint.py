"""The tail of Material's pages becomes preloads run by one loader after the first frame."""

from __future__ import annotations

import pytest

from textbook.site.after_paint import LOADER, PALETTE_DEFAULT, PALETTE_MARK, defer_scripts

CONFIG = '<script id="__config" type="application/json">{}</script>'
PAGE = (
    f"<html><body><p>text</p>{CONFIG}\n"
    '      <script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>\n'
    '        <script src="../assets/js/quiz.js"></script>\n'
    '        <script src="../assets/cells/cells.js" type="module"></script>\n'
    '        <script src="a&amp;b.js" defer></script>\n'
    "  </body>\n</html>"
)


def test_the_scripts_become_preloads_in_their_order_then_the_loader():
    out = defer_scripts(PAGE, "chapter.md")
    assert "<script src=" not in out
    tail = out[out.index(CONFIG) + len(CONFIG) :]
    assert tail.split("\n")[1:6] == [
        '<link rel="preload" as="script" href="../assets/javascripts/bundle.a5f9d56c.min.js"'
        " data-tb-run data-tb-material>",
        '<link rel="preload" as="script" href="../assets/js/quiz.js" data-tb-run>',
        '<link rel="modulepreload" href="../assets/cells/cells.js" data-tb-run>',
        '<link rel="preload" as="script" href="a&amp;b.js" data-tb-run>',
        f"<script>{LOADER}</script>",
    ]
    assert out.endswith("</body>\n</html>")
    assert out.startswith("<html><body><p>text</p>")


def test_inline_scripts_before_the_tail_stay_where_they_are():
    page = PAGE.replace(CONFIG, CONFIG + "<script>var x=1</script>")
    out = defer_scripts(page, "chapter.md")
    assert "<script>var x=1</script>" in out and out.count("<link ") == 4


def test_a_page_without_material_is_left_alone():
    page = '<html><body><script src="x.js"></script></body></html>'
    assert defer_scripts(page, "redirect.html") == page


def test_a_tail_that_does_not_start_with_the_bundle_fails_the_build():
    # Something between the bundle and the other scripts: the tail no longer starts with it.
    page = PAGE.replace('min.js"></script>\n', 'min.js"></script><div></div>\n')
    with pytest.raises(ValueError, match=r"chapter\.md: Material's bundle is no longer the first"):
        defer_scripts(page, "chapter.md")


def test_the_loader_emits_on_material_document_only_after_domcontentloaded():
    # The loader's own DOMContentLoaded flag, not readyState, decides (see the module's doc).
    assert "addEventListener('DOMContentLoaded',()=>{d=1})" in LOADER
    assert "if(d&&l.hasAttribute('data-tb-material'))window.document$.next(document)" in LOADER
    assert "readyState" not in LOADER


def test_the_default_palette_is_set_right_after_material_palette_script():
    material = f"{PALETTE_MARK}if(palette&&palette.color){{}}</script>"
    out = defer_scripts(PAGE.replace("<p>text</p>", f"{material}<p>text</p>"), "chapter.md")
    assert f"{material}<script>{PALETTE_DEFAULT}</script><p>text</p>" in out


def test_the_feature_table_among_the_scripts_stays_on_the_page():
    row = '<template class="tb-feature" data-name="quiz" data-src="q.js"></template>'
    page = PAGE.replace(
        '<script src="../assets/js/quiz.js">', f'{row}<script src="../assets/js/quiz.js">'
    )
    out = defer_scripts(page, "chapter.md")
    assert out.count(row) == 1 and out.index(row) < out.index('<link rel="preload"')
    assert out.count("<link ") == 4
