/* Citable anchors in the page: copy buttons, cross-reference previews, old anchors that moved.

   Everything shown or copied is written into the page at build time (textbook/cite.py,
   textbook/xref.py): `data-tb-copy` on buttons, `<template class="tb-xref-preview">` per
   referenced anchor (its content in a JSON file beside the page when the build moved it out
   of the page, fetched on first use), `<span class="tb-alias" data-tb-alias>` for renamed
   ones. This script only copies, shows and redirects. Listeners are delegated from `document`,
   so they keep working after Material's instant navigation; `document$` re-runs the per-page
   steps. */
(() => {
  "use strict";
  if (window.__tbAnchors) return;
  window.__tbAnchors = true;

  /* -- copying --------------------------------------------------------------------------- */

  function announce(message) {
    const live = document.querySelector(".tb-live");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(() => {
      live.textContent = message;
    }, 50);
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (error) {
        /* fall through to the selection-based copy */
      }
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "tb-offscreen";
    document.body.appendChild(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    area.remove();
    return done;
  }

  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element && event.target.closest("button[data-tb-copy]");
    if (!button) return;
    const done = await copyText(button.dataset.tbCopy);
    announce(done ? button.dataset.tbCopied || "Copied" : "Could not copy: select the text instead");
    if (!done) return;
    if (!button.dataset.tbLabel) button.dataset.tbLabel = button.textContent;
    button.textContent = "Copied";
    button.classList.add("is-copied");
    window.clearTimeout(Number(button.dataset.tbTimer || 0));
    button.dataset.tbTimer = String(
      window.setTimeout(() => {
        button.textContent = button.dataset.tbLabel;
        button.classList.remove("is-copied");
      }, 2000),
    );
  });

  /* -- previews of cross-references ------------------------------------------------------ */

  const POPUP_ID = "tb-preview-popup";
  let current = null;
  let showTimer = 0;
  let hideTimer = 0;
  let lastPointer = "mouse";

  function popup() {
    let box = document.getElementById(POPUP_ID);
    if (!box) {
      box = document.createElement("div");
      box.id = POPUP_ID;
      box.className = "tb-preview-popup md-typeset";
      box.setAttribute("role", "tooltip");
      box.hidden = true;
      document.body.appendChild(box);
    }
    return box;
  }

  function templateFor(link) {
    if (!(link instanceof HTMLAnchorElement) || !link.hash) return null;
    if (link.classList.contains("headerlink") || !link.closest(".md-content")) return null;
    const url = new URL(link.href, location.href);
    let id;
    try {
      id = decodeURIComponent(url.hash.slice(1));
    } catch (error) {
      return null;
    }
    for (const template of document.querySelectorAll("template.tb-xref-preview")) {
      if (template.dataset.for !== id) continue;
      const target = new URL(template.dataset.href, location.href);
      if (target.pathname !== url.pathname) continue;
      const element = target.pathname === location.pathname && document.getElementById(id);
      if (element && element.contains(link)) return null; // a block's own label
      return template;
    }
    return null;
  }

  function place(box, link) {
    const rect = link.getBoundingClientRect();
    const view = document.documentElement.clientWidth;
    const left = Math.max(8, Math.min(rect.left, view - box.offsetWidth - 8));
    let top = rect.bottom + 6;
    if (top + box.offsetHeight > window.innerHeight && rect.top > box.offsetHeight + 6) {
      top = rect.top - box.offsetHeight - 6;
    }
    box.style.left = `${left + window.scrollX}px`;
    box.style.top = `${top + window.scrollY}px`;
  }

  // The previews' content is not in the page (it would weigh on the first paint): the empty
  // templates name a JSON file beside the page, fetched once, on the first reference a reader
  // points at, focuses or taps (textbook/site/previews.py).
  const fragments = new Map(); // URL -> Promise of {anchor: html}

  function filled(template) {
    const src = template.dataset.src;
    if (!src || template.content.childNodes.length) return Promise.resolve(template);
    const url = new URL(src, location.href).href;
    if (!fragments.has(url)) {
      fragments.set(
        url,
        fetch(url).then((response) => {
          if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
          return response.json();
        }),
      );
    }
    return fragments.get(url).then(
      (previews) => {
        if (!template.content.childNodes.length && previews[template.dataset.for]) {
          template.innerHTML = previews[template.dataset.for];
        }
        return template;
      },
      (error) => {
        fragments.delete(url); // try again on the next reference
        throw error;
      },
    );
  }

  let wanted = null; // the link whose preview is on its way
  function showWhenReady(link, template) {
    wanted = link;
    filled(template).then(
      () => {
        if (wanted === link) show(link, template);
      },
      (error) => console.error("preview unavailable:", error),
    );
  }

  function show(link, template) {
    window.clearTimeout(hideTimer);
    window.clearTimeout(showTimer);
    const box = popup();
    if (current === link && !box.hidden) return;
    if (current) current.removeAttribute("aria-describedby");
    box.replaceChildren(document.importNode(template.content, true));
    for (const element of box.querySelectorAll("[tabindex]")) element.removeAttribute("tabindex");
    box.hidden = false;
    place(box, link);
    link.setAttribute("aria-describedby", POPUP_ID);
    current = link;
  }

  function hide() {
    wanted = null;
    window.clearTimeout(showTimer);
    window.clearTimeout(hideTimer);
    const box = document.getElementById(POPUP_ID);
    if (box) box.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function linkOf(target) {
    return target instanceof Element ? target.closest("a[href]") : null;
  }

  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType || "mouse";
  });

  document.addEventListener("mouseover", (event) => {
    if (lastPointer === "touch") return;
    const box = document.getElementById(POPUP_ID);
    if (box && box.contains(event.target)) {
      window.clearTimeout(hideTimer);
      return;
    }
    const link = linkOf(event.target);
    const template = link && templateFor(link);
    if (!template) return;
    window.clearTimeout(hideTimer);
    window.clearTimeout(showTimer);
    filled(template).catch(() => {}); // fetch during the hover delay
    showTimer = window.setTimeout(() => showWhenReady(link, template), 150);
  });

  document.addEventListener("mouseout", (event) => {
    if (lastPointer === "touch") return;
    const box = document.getElementById(POPUP_ID);
    const from = linkOf(event.target) || (box && box.contains(event.target) ? box : null);
    if (!from) return;
    const to = event.relatedTarget;
    if (to instanceof Node && (from.contains(to) || (box && box.contains(to)))) return;
    if (to instanceof Node && current && current.contains(to)) return;
    window.clearTimeout(showTimer);
    hideTimer = window.setTimeout(hide, 200);
  });

  document.addEventListener("focusin", (event) => {
    if (lastPointer === "touch") return; // a tap is handled by the click below
    const link = linkOf(event.target);
    const template = link && templateFor(link);
    if (template) showWhenReady(link, template);
    else if (current) hide();
  });

  document.addEventListener("focusout", (event) => {
    if (current && event.target === current) hideTimer = window.setTimeout(hide, 100);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) hide();
  });

  // Touch: the first tap on a reference shows its preview, a second tap follows it.
  window.addEventListener(
    "click",
    (event) => {
      const link = linkOf(event.target);
      const box = document.getElementById(POPUP_ID);
      if (box && box.contains(event.target)) return;
      if (lastPointer !== "touch") {
        if (current && link !== current) hide();
        return;
      }
      const template = link && templateFor(link);
      if (!template) {
        if (current) hide();
        return;
      }
      if (current === link && box && !box.hidden) {
        hide();
        return; // second tap: follow the link
      }
      event.preventDefault();
      event.stopPropagation();
      showWhenReady(link, template);
    },
    true,
  );

  window.addEventListener("resize", () => {
    if (current) hide();
  });

  /* -- old anchors that were renamed or moved -------------------------------------------- */

  function followAlias(hash) {
    if (!hash) return;
    let id;
    try {
      id = decodeURIComponent(hash.slice(1));
    } catch (error) {
      return;
    }
    const alias = document.getElementById(id);
    if (!alias || !alias.classList.contains("tb-alias")) return;
    const target = new URL(alias.dataset.tbAlias, location.href);
    if (target.pathname !== location.pathname) {
      location.replace(target.href);
      return;
    }
    history.replaceState(history.state, "", target.hash);
    const element = document.getElementById(decodeURIComponent(target.hash.slice(1)));
    if (element) element.scrollIntoView();
  }

  /* -- landing on a fragment ---------------------------------------------------------------- */

  /* Blocks far from the viewport are drawn on demand (`content-visibility` in textbook.css),
     so a jump to `#fragment` is first computed with estimated heights for the blocks above
     the target, and it can drift as they are drawn. Until the reader scrolls (or 3 s pass),
     put the target back at the top whenever the article changes size.
     Material shows its "Back to top" button when the page scrolls up, which those
     corrections do (blocks drawn shorter than estimated): after a jump the button covered the
     target's heading. `tb-landed` on <body> (anchors.css) keeps it away until the reader moves
     the page, whose next scroll Material then judges as usual. */
  const READER_SCROLLS = ["wheel", "touchstart", "keydown", "pointerdown"];
  const LANDED = "tb-landed";
  let releaseHold = null;

  function readerMoves() {
    document.body.classList.remove(LANDED);
    if (releaseHold) releaseHold();
  }
  for (const type of READER_SCROLLS) {
    window.addEventListener(type, readerMoves, { passive: true, capture: true });
  }

  function holdTarget(hash) {
    if (releaseHold) releaseHold();
    let id;
    try {
      id = decodeURIComponent(hash.slice(1));
    } catch (error) {
      return;
    }
    const target = id && document.getElementById(id);
    const article = document.querySelector(".md-content__inner");
    if (!target || !article || !("ResizeObserver" in window)) return;
    document.body.classList.add(LANDED);
    const observer = new ResizeObserver(() => {
      const wanted = parseFloat(getComputedStyle(target).scrollMarginTop) || 0;
      if (Math.abs(target.getBoundingClientRect().top - wanted) > 1) target.scrollIntoView();
    });
    const timer = window.setTimeout(() => releaseHold && releaseHold(), 3000);
    releaseHold = () => {
      observer.disconnect();
      window.clearTimeout(timer);
      releaseHold = null;
    };
    observer.observe(article);
  }

  window.addEventListener("hashchange", () => {
    followAlias(location.hash);
    holdTarget(location.hash);
  });

  // `hash`: the fragment the page was opened with. This script may load well after that
  // (textbook.js), when Material's navigation.tracking has put the section read in the URL:
  // that one is no target to hold.
  function onPage(hash) {
    hide();
    followAlias(hash);
    holdTarget(hash);
  }

  window.textbook.onPage(onPage); // textbook.js: each page once, across instant navigation
})();
