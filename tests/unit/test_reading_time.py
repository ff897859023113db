import math

from textbook.chapter.reading_time import SECONDS, WORDS_PER_MINUTE, count_content, reading_minutes


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


def test_items_and_code_lines_are_counted():
    html = (
        '<figure class="tb-figure" data-figure="a" id="fig-a"></figure>'
        '<figure class="tb-instrument" id="instrument-a"><figcaption>cap</figcaption></figure>'
        '<div class="tb-quiz" id="quiz-a"><p>q</p></div>'
        '<div class="tb-cell" data-source="cells/a.py" id="cell-a"></div>'
    )
    counts = count_content(html, {"cells/a.py": 10})
    assert (counts.figures, counts.instruments, counts.quizzes, counts.code_cells) == (1, 1, 1, 1)
    assert counts.code_lines == 10


def test_formula_matches_documented_constants():
    words = " ".join(["word"] * 1000)
    html = f"<p>{words}</p>" + '<div class="tb-quiz" id="q"></div>' * 2
    expected = math.ceil((1000 * 60 / WORDS_PER_MINUTE + 2 * SECONDS["quizzes"]) / 60)
    assert reading_minutes(html) == expected == 6


def test_never_less_than_a_minute():
    assert reading_minutes("<p>hi</p>") == 1
