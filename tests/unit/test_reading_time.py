import math

import pytest

from textbook.chapter.reading_time import (
    FIRST_ITEM_SECONDS,
    ITEM_FLOOR_SECONDS,
    WORDS_PER_MINUTE,
    count_content,
    item_seconds,
    reading_minutes,
)


def test_constants_are_the_published_ones():
    assert WORDS_PER_MINUTE == 238  # Brysbaert (2019): silent reading, English non-fiction
    assert (FIRST_ITEM_SECONDS, ITEM_FLOOR_SECONDS) == (12, 3)  # Medium's rule for images


@pytest.mark.parametrize(
    ("count", "seconds"),
    [(0, 0), (1, 12), (2, 12 + 11), (10, 12 + 11 + 10 + 9 + 8 + 7 + 6 + 5 + 4 + 3), (12, 81)],
)
def test_items_cost_12_s_then_one_second_less_each_down_to_3_s(count, seconds):
    assert item_seconds(count) == seconds


def test_counts_prose_words_but_not_code_or_math():
    html = (
        "<h2 id='a'>Two words<a class='headerlink' href='#a'>¶</a></h2>"
        "<p>one two three <span class='arithmatex'>\\(x + y\\)</span> four</p>"
        "<pre><code>print('not prose at all')</code></pre>"
        "<div class='arithmatex'>\\[a=b\\]</div>"
    )
    counts = count_content(html)
    assert counts.prose_words == 6
    assert counts.inline_formulas == 1
    assert counts.display_equations == 1


def test_block_chrome_and_buttons_are_not_prose():
    html = (
        '<div class="tb-equation" id="eq-a"><div class="tb-equation__head">'
        '<a class="tb-equation__label" href="#eq-a">EQ MM1.1</a>'
        '<span class="tb-equation__title">A long title of six words</span></div>'
        '<div class="tb-equation__caption"><p>caption prose counts</p></div></div>'
        '<figure class="tb-instrument" id="instrument-a"><div class="tb-instrument__head">'
        '<span class="tb-instrument__subtitle">sub title</span></div>'
        "<figcaption><p>written for reading</p></figcaption></figure>"
        '<div class="tb-quiz" id="quiz-a"><div class="tb-quiz__head">Check your understanding'
        "</div><p>question here</p><details><summary>Show the worked answer</summary>"
        "<p>answer text</p></details></div>"
    )
    counts = count_content(html)
    assert counts.prose_words == 3 + 3 + 2 + 2
    assert (counts.instruments, counts.quizzes) == (1, 1)


def test_the_references_section_is_not_prose_but_the_next_section_is():
    html = (
        "<h2 id='s'>1.5 CLIP</h2><p>one two</p>"
        "<h2 id='r'>1.R References<a class='headerlink' href='#r'>¶</a></h2>"
        "<ol><li>Author, A. (2020). <em>A Title of a Paper.</em> Venue.</li></ol>"
        "<h3 id='x'>Still references</h3><p>more list</p>"
        "<h2 id='n'>Next</h2><p>three four five</p>"
    )
    # "1.5 CLIP" (three tokens), "one two", "Next", "three four five"
    assert count_content(html).prose_words == 3 + 2 + 1 + 3


def test_items_are_counted():
    html = (
        '<figure class="tb-figure" data-figure="a" id="fig-a"></figure>'
        '<figure class="tb-instrument" id="instrument-a"><figcaption>cap</figcaption></figure>'
        '<div class="tb-quiz" id="quiz-a"><p>q</p></div>'
        '<div class="tb-cell" data-source="cells/a.py" id="cell-a"></div>'
        "<div class='arithmatex'>\\[a=b\\]</div>"
    )
    counts = count_content(html)
    assert (counts.figures, counts.instruments, counts.quizzes, counts.code_cells) == (1, 1, 1, 1)
    assert counts.items == 5


def test_formula_matches_documented_constants():
    words = " ".join(["word"] * 2000)
    html = (
        f"<p>{words} <span class='arithmatex'>\\(x\\)</span></p>"
        + '<figure class="tb-figure" id="f"></figure>' * 12
    )
    # 2001 words (the formula reads as one) at 238 wpm, then 12 + 11 + ... + 3 + 3 + 3 s.
    expected = math.ceil((2001 / 238 * 60 + sum([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 3, 3])) / 60)
    assert reading_minutes(html) == expected == 10


def test_never_less_than_a_minute():
    assert reading_minutes("<p>hi</p>") == 1
