"""textbook.site.scripts: the feature table the loader (assets/js/textbook.js) reads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import textbook.adapters.anchors as anchors_adapter
import textbook.adapters.instruments as instruments_adapter
import textbook.cells.assets as cells_assets
from textbook.site import scripts
from textbook.site.fingerprint import fingerprint_site

ROOT = Path(__file__).resolve().parents[2]
QUIZ = scripts.Feature("quiz", "assets/js/quiz.js", ".tb-quiz[id]")
ANCHORS = next(f for f in scripts.FEATURES if f.name == "anchors")
PAGE = '<p>x</p><script src="../assets/js/textbook.js"></script></body>'


def test_the_table_goes_before_the_loader_with_urls_from_the_page():
    page = scripts.insert_table(PAGE, [QUIZ])
    assert page == (
        '<p>x</p><template class="tb-feature" data-name="quiz" data-src="../assets/js/quiz.js"'
        ' data-select=".tb-quiz[id]" data-near></template>'
        '<script src="../assets/js/textbook.js"></script></body>'
    )
    # 404.html: MkDocs links its scripts from the site's root path.
    absolute = scripts.insert_table('<script src="/mm/assets/js/textbook.js"></script>', [QUIZ])
    assert 'data-src="/mm/assets/js/quiz.js"' in absolute


def test_a_page_without_the_loader_or_without_features_is_unchanged():
    assert scripts.insert_table("<p>x</p>", scripts.FEATURES) == "<p>x</p>"
    assert scripts.insert_table(PAGE, []) == PAGE
    # Another script whose name ends the same is not the loader.
    other = '<script src="../vendor-assets/js/textbook.js"></script>'
    assert scripts.insert_table(other, [QUIZ]) == other


def test_selectors_are_escaped_and_options_written():
    row = scripts.table([ANCHORS], "")
    assert 'data-intent=".md-content a[href*=&quot;#&quot;]:not(.headerlink)' in row
    assert "data-hold=" in row and row.endswith(" data-fragment></template>")
    assert "data-near" not in row  # anchors.js waits for the reader's intent or a fragment


def test_only_the_scripts_the_site_publishes_are_listed():
    published = scripts.published(scripts.FEATURES, {"assets/js/quiz.js", "index.md"})
    assert [f.name for f in published] == ["quiz"]


def test_the_table_names_the_scripts_the_features_publish():
    srcs = {f.name: f.src for f in scripts.FEATURES}
    assert srcs["instruments"] == instruments_adapter.JS
    assert srcs["cells"] == f"{cells_assets.SITE_DIR}/cells.js"
    assert [srcs["anchors"], srcs["quiz"]] == anchors_adapter.ASSETS["js"]
    for name in ("instruments", "anchors", "quiz"):
        assert (ROOT / "docs" / srcs[name]).is_file()
    assert (ROOT / "docs" / scripts.LOADER).is_file()


def test_the_fingerprint_stage_renames_the_scripts_the_table_names(tmp_path):
    page = scripts.insert_table(PAGE, [QUIZ])
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch" / "index.html").write_text(page)
    (tmp_path / "assets" / "js").mkdir(parents=True)
    (tmp_path / "assets" / "js" / "quiz.js").write_text("quiz")
    (tmp_path / "assets" / "js" / "textbook.js").write_text("loader")
    renames = fingerprint_site(tmp_path)
    quiz = f"assets/js/quiz.{hashlib.sha256(b'quiz').hexdigest()[:12]}.js"
    assert renames["assets/js/quiz.js"] == quiz
    text = (tmp_path / "ch" / "index.html").read_text()
    assert f'data-src="../{quiz}"' in text and (tmp_path / quiz).is_file()
    assert f'src="../{renames["assets/js/textbook.js"]}"' in text
