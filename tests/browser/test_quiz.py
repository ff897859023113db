"""The chapter's quizzes in a real browser: check answers, feedback, progress, fallbacks."""

from __future__ import annotations

import pytest

from tests.browser.instant import open_for_instant_navigation

CHAPTER = "01-computer-vision/"
QUIZZES = [
    ("quiz-vit-patches", "196", "195"),
    ("quiz-iou-example", "1/3", "0.5"),
    ("quiz-clip-shared-space", "true", "false"),
]


def clean(traffic) -> None:
    assert traffic.external == []
    assert traffic.console_errors == [] and traffic.page_errors == []


def reveal(page, quiz: str):
    """Scroll to the quiz and wait for its form: quiz.js loads when a quiz nears the viewport
    (assets/js/textbook.js) and reveals the form once it has bound it (typing earlier would
    submit natively)."""
    box = page.locator(f"#{quiz}")
    # A reader scrolls with the wheel or keys, which ends anchors.js's hold of the URL's target
    # in view (a reload lands on the section in the URL); a programmatic scroll alone does not,
    # and the hold may pull the page back while the blocks passed on the way are drawn.
    page.mouse.wheel(0, 1)
    box.scroll_into_view_if_needed()
    box.locator(".tb-quiz__form").wait_for(state="visible")
    return box


def answer(page, quiz: str, value: str) -> str:
    box = reveal(page, quiz)
    if box.get_attribute("data-kind") == "number":
        box.locator("input[name=answer]").fill(value)
    else:
        box.locator(f"input[name=answer][value={value}]").check()
    box.locator(".tb-quiz__check").click()
    return box.locator(".tb-quiz__feedback").inner_text()


@pytest.mark.parametrize(("quiz", "right", "wrong"), QUIZZES)
def test_quiz_rejects_wrong_accepts_right_and_remembers(site_url, new_page, quiz, right, wrong):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    box = reveal(page, quiz)
    assert not box.locator(".tb-quiz__explanation").get_attribute("open")
    assert answer(page, quiz, wrong).startswith("Not quite (1 attempt)")
    assert "is-wrong" in box.get_attribute("class")
    assert box.locator(".tb-quiz__explanation").get_attribute("open") is not None  # revealed
    assert answer(page, quiz, right).startswith("Correct (2 attempts)")
    assert "is-correct" in box.get_attribute("class")
    page.reload(wait_until="networkidle")
    # The reload lands on the section in the URL; a block further down is not rendered
    # (content-visibility: auto) and has no innerText until the reader scrolls to it.
    box = reveal(page, quiz)
    page.wait_for_function(
        "id => document.querySelector(`#${id} .tb-quiz__feedback`).innerText !== ''", arg=quiz
    )
    assert box.locator(".tb-quiz__feedback").inner_text().startswith("Correct (2 attempts)")
    if box.get_attribute("data-kind") == "number":
        assert box.locator("input[name=answer]").input_value() == right
    else:
        assert box.locator(f"input[value={right}]").is_checked()
    # Progress is kept per question.
    others = [q for q, _, _ in QUIZZES if q != quiz]
    for other in others:
        assert page.locator(f"#{other} .tb-quiz__feedback").inner_text() == ""
    clean(traffic)


@pytest.mark.parametrize(
    ("typed", "verdict"),
    [
        ("1/3", "Correct"),
        (" 1 / 3 ", "Correct"),
        ("0.333", "Correct"),
        ("0.33", "Correct"),  # within the tolerance of 0.01
        ("0,333", "Correct"),  # decimal comma
        ("1,000", "Not quite"),  # thousands separator
        (".34", "Correct"),
        ("0.3", "Not quite"),
        ("1/2", "Not quite"),
        ("-1/3", "Not quite"),
        ("abc", "That is not a number"),
        ("1/0", "That is not a number"),
        ("", "Type a number first"),
    ],
)
def test_number_answers_accept_fractions_within_tolerance(site_url, new_page, typed, verdict):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    assert answer(page, "quiz-iou-example", typed).startswith(verdict)
    clean(traffic)


def test_quiz_works_from_the_keyboard(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    reveal(page, "quiz-vit-patches")
    page.focus("#quiz-vit-patches input[name=answer]")
    page.keyboard.type("196")
    page.keyboard.press("Enter")
    feedback = page.locator("#quiz-vit-patches .tb-quiz__feedback")
    assert feedback.inner_text().startswith("Correct")
    assert feedback.get_attribute("aria-live") == "polite"
    page.focus("#quiz-clip-shared-space input[value=true]")
    page.keyboard.press("ArrowDown")  # radio group: moves to False
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert (
        page.locator("#quiz-clip-shared-space .tb-quiz__feedback")
        .inner_text()
        .startswith("Not quite")
    )
    clean(traffic)


def test_without_javascript_quiz_is_question_and_collapsible_answer(site_url, new_page):
    page, traffic = new_page(java_script_enabled=False)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    box = page.locator("#quiz-vit-patches")
    assert box.locator(".tb-quiz__question").is_visible()
    assert not box.locator(".tb-quiz__form").is_visible()
    assert not box.locator(".tb-quiz__explanation-body").is_visible()
    box.locator(".tb-quiz__explanation summary").click()
    assert box.locator(".tb-quiz__explanation-body").is_visible()
    assert traffic.external == []


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_feedback_colours_follow_the_palette(site_url, new_page, scheme):
    page, traffic = new_page(color_scheme="dark" if scheme == "slate" else "light")
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    answer(page, "quiz-vit-patches", "196")
    colour = page.eval_on_selector(
        "#quiz-vit-patches .tb-quiz__feedback", "el => getComputedStyle(el).color"
    )
    assert colour == {"default": "rgb(27, 122, 58)", "slate": "rgb(127, 209, 155)"}[scheme]
    clean(traffic)


def test_quizzes_work_after_instant_navigation(site_url, new_page):
    page, traffic = new_page()
    open_for_instant_navigation(page, site_url)
    page.click(f"article a[href$='{CHAPTER}']")
    page.wait_for_url("**/" + CHAPTER)
    reveal(page, "quiz-vit-patches")
    assert page.evaluate("window.__sameDocument === true")
    assert answer(page, "quiz-vit-patches", "196").startswith("Correct")
    clean(traffic)


QUIZ_ROOM = """quiz => {
    const top = quiz.getBoundingClientRect().top;
    const rect = el => { const r = el.getBoundingClientRect();
                         return [r.left, r.top - top, r.width, r.height]; };
    const form = quiz.querySelector('.tb-quiz__form');
    return {form: rect(form), field: rect(form.querySelector('.tb-quiz__input')),
            explanation: rect(quiz.querySelector('.tb-quiz__explanation')),
            textFields: form.querySelectorAll('input[type=text]').length};
}"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("quiz", ["quiz-vit-patches", "quiz-iou-example"])
def test_binding_a_number_quiz_moves_nothing(site_url, new_page, quiz, width):
    """Until quiz.js binds it, a number quiz's text field is a template (no form scan lays its
    block out at DOMContentLoaded) and a slot of the same box holds its place."""

    def room(bound: bool) -> dict:
        page, traffic = new_page(viewport={"width": width, "height": 900})
        if not bound:
            page.route("**/assets/js/quiz.*js", lambda route: route.abort())
        page.goto(site_url + CHAPTER, wait_until="networkidle")
        box = page.locator(f"#{quiz}")
        page.mouse.wheel(0, 1)
        box.scroll_into_view_if_needed()
        if bound:
            box.locator(".tb-quiz__form").wait_for(state="visible")
        else:
            page.wait_for_timeout(300)
            assert box.locator(".tb-quiz__form").get_attribute("hidden") is not None
        assert traffic.external == [] and traffic.page_errors == []
        return box.evaluate(QUIZ_ROOM)

    unbound, bound = room(False), room(True)
    assert (unbound["textFields"], bound["textFields"]) == (0, 1)
    assert unbound["field"][2] > 100 and unbound["field"][3] > 15  # a real box, not collapsed
    del unbound["textFields"], bound["textFields"]
    assert unbound == bound
