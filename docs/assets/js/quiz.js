/* Quiz widgets: check an answer, say whether it is right, open the worked explanation, and
   remember the reader's progress per question (localStorage).

   The build writes everything (textbook/quiz.py): a hidden `<form class="tb-quiz__form">` in
   each `.tb-quiz`, whose `data-answer`, `data-kind` and `data-tolerance` hold the kernel-computed
   answer. Without JavaScript the quiz stays a question with a collapsible explanation. */
(() => {
  "use strict";
  if (window.__tbQuiz) return;
  window.__tbQuiz = true;

  const STORE = "tb-quiz:";
  const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

  /* "196", "0.33", ".5", "-2", "1e3", "38,416" (thousands), "0,5" (decimal comma), "1/3", "−1/2"
     -> a number; anything else -> NaN. */
  function parseNumber(text) {
    let s = String(text).trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    if (/^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
    else if (/^[+-]?\d*,\d+$/.test(s)) s = s.replace(",", ".");
    const parts = s.split("/");
    if (parts.length === 2 && NUMBER.test(parts[0]) && NUMBER.test(parts[1])) {
      const denominator = Number(parts[1]);
      return denominator === 0 ? NaN : Number(parts[0]) / denominator;
    }
    return parts.length === 1 && NUMBER.test(s) ? Number(s) : NaN;
  }

  function isRight(quiz, value) {
    if (quiz.dataset.kind !== "number") return String(value) === quiz.dataset.answer;
    const number = parseNumber(value);
    const answer = Number(quiz.dataset.answer);
    const tolerance = Number(quiz.dataset.tolerance || 0);
    const slack = 1e-9 * Math.max(1, Math.abs(answer));
    return Number.isFinite(number) && Math.abs(number - answer) <= tolerance + slack;
  }

  function load(quiz) {
    try {
      return JSON.parse(window.localStorage.getItem(STORE + quiz.id) || "null");
    } catch (error) {
      return null;
    }
  }

  function save(quiz, progress) {
    try {
      window.localStorage.setItem(STORE + quiz.id, JSON.stringify(progress));
    } catch (error) {
      /* private mode or full storage: the quiz still works for this visit */
    }
  }

  function answerOf(quiz, form) {
    if (quiz.dataset.kind === "number") return form.elements.answer.value;
    const checked = form.querySelector("input[name=answer]:checked");
    return checked ? checked.value : "";
  }

  function restoreAnswer(quiz, form, value) {
    if (quiz.dataset.kind === "number") {
      form.elements.answer.value = value;
      return;
    }
    for (const input of form.querySelectorAll("input[name=answer]")) {
      input.checked = input.value === value;
    }
  }

  function render(quiz, progress) {
    const feedback = quiz.querySelector(".tb-quiz__feedback");
    quiz.classList.toggle("is-correct", progress.correct);
    quiz.classList.toggle("is-wrong", !progress.correct);
    const tries = progress.attempts === 1 ? "1 attempt" : `${progress.attempts} attempts`;
    feedback.textContent = progress.correct
      ? `Correct (${tries}). The worked answer is open below.`
      : `Not quite (${tries}). Try again, or read the worked answer below.`;
    const explanation = quiz.querySelector(".tb-quiz__explanation");
    if (explanation) explanation.open = true;
  }

  function check(quiz, form) {
    const value = answerOf(quiz, form).trim();
    const feedback = quiz.querySelector(".tb-quiz__feedback");
    if (!value) {
      feedback.textContent =
        quiz.dataset.kind === "number" ? "Type a number first." : "Choose True or False first.";
      return;
    }
    if (quiz.dataset.kind === "number" && Number.isNaN(parseNumber(value))) {
      feedback.textContent = "That is not a number: write e.g. 196, 0.33 or 1/3.";
      return;
    }
    const before = load(quiz) || { attempts: 0 };
    const progress = {
      answer: value,
      attempts: (before.attempts || 0) + 1,
      correct: isRight(quiz, value),
    };
    save(quiz, progress);
    render(quiz, progress);
  }

  function setUp(quiz) {
    const form = quiz.querySelector(".tb-quiz__form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "true";
    // A number quiz's text field waits in a <template> (see textbook/anchors/quiz.py).
    const field = form.querySelector("template.tb-quiz__input-template");
    if (field) {
      form.querySelector(".tb-quiz__input--unbound").replaceWith(field.content.cloneNode(true));
      field.remove();
    }
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      check(quiz, form);
    });
    const progress = load(quiz);
    if (progress && typeof progress.answer === "string") {
      restoreAnswer(quiz, form, progress.answer);
      // Judge the stored answer again: a rebuilt page may hold a corrected answer.
      render(quiz, { ...progress, correct: isRight(quiz, progress.answer) });
    }
  }

  function onPage() {
    for (const quiz of document.querySelectorAll(".tb-quiz[id][data-kind]")) setUp(quiz);
  }

  window.textbook.onPage(onPage); // textbook.js: each page once, across instant navigation
})();
