/* The project's one script on every page: loads each feature's script (instruments, cells,
   quizzes, anchors) only on pages that have its elements, and only when it is wanted.

   The build writes the feature table into the page, just before this script
   (textbook/site/scripts.py): one `<template class="tb-feature">` per feature, with
   `data-src` (the script; the fingerprint stage renames it by content hash), `data-select`
   (the elements a page needs it for), and what loads it:
   - `data-near`: one of those elements comes near the viewport (IntersectionObserver);
   - `data-intent`: the pointer goes over, presses or the focus enters one of these elements
     (default: the `data-select` ones); the event is replayed once the script has set up the
     page, if it still holds (the pointer still over the element, the focus still in it);
   - `data-hold`: a click on one of these waits for the script, then is replayed (a copy
     button, a tap on a reference that should preview rather than follow);
   - `data-fragment`: the URL has a fragment (old anchors that moved, the target held in view).
   Material's instant navigation emits `document$` for each new page; its `document$` is a
   ReplaySubject(1): a script that subscribes late receives the current page once, then every
   next one. So a feature script loaded on any page sets up that page once and each page after.

   `textbook.onPage(fn)` is the per-page hook every feature script uses (see below). Links into
   the page are left to the browser rather than to Material's instant navigation (see below). */
(() => {
  "use strict";
  if (window.textbook) return;

  const NEAR = "1000px 0px"; // generous: more than a screen ahead of the reader
  const INTENT = ["mouseover", "pointerdown", "focusin"];

  const material = window.document$ && typeof window.document$.subscribe === "function";
  // The fragment the current page was opened with (Material's navigation.tracking later
  // writes the section being read into the URL, which is no fragment to land on).
  let landing = location.hash;
  if (material) window.document$.subscribe(() => (landing = location.hash));

  /* Run `fn(hash)` for the current page and, under instant navigation, for each next one;
     `hash` is the fragment the page was opened with. */
  function onPage(fn) {
    const run = () => {
      const hash = landing;
      // In a task of its own, not inside Material's: a long task blocks input (page-load TBT).
      window.setTimeout(() => fn(hash), 0);
    };
    if (material) {
      window.document$.subscribe(run);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", run);
    } else {
      run();
    }
  }

  const features = Array.from(document.querySelectorAll("template.tb-feature"), (spec) => ({
    name: spec.dataset.name,
    src: new URL(spec.dataset.src, document.baseURI).href, // the table is read on one page only
    module: spec.dataset.type === "module",
    select: spec.dataset.select,
    intent: spec.dataset.intent || spec.dataset.select,
    hold: spec.dataset.hold || "",
    near: spec.hasAttribute("data-near"),
    fragment: spec.hasAttribute("data-fragment"),
    loading: null, // Promise once requested
    ready: false,
    pending: [], // events to replay once ready
  }));

  function load(feature) {
    if (feature.loading) return feature.loading;
    feature.loading = new Promise((done) => {
      const script = document.createElement("script");
      script.src = feature.src;
      if (feature.module) script.type = "module";
      script.onload = script.onerror = (event) => {
        feature.ready = true;
        if (event.type === "error") console.error(`textbook: ${feature.name} did not load`);
        // After the script's own first page set-up (a task it queued while it ran).
        window.setTimeout(() => replay(feature), 0);
        done(event.type === "load");
      };
      document.head.appendChild(script);
    });
    return feature.loading;
  }

  function replay(feature) {
    const events = feature.pending.splice(0);
    for (const { type, target, pointerType } of events) {
      if (!target.isConnected) continue;
      if (type === "mouseover" && target.matches(":hover")) {
        target.dispatchEvent(new MouseEvent("mouseover", { bubbles: true, composed: true }));
      } else if (type === "focusin" && target.contains(document.activeElement)) {
        target.dispatchEvent(new FocusEvent("focusin", { bubbles: true, composed: true }));
      } else if (type === "pointerdown") {
        target.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true, pointerType }));
      } else if (type === "click") {
        target.click();
      }
    }
  }

  function wanted(event) {
    const target = event.target;
    if (!(target instanceof Element)) return;
    for (const feature of features) {
      if (feature.ready || !target.closest(feature.intent)) continue;
      const held = event.type === "click";
      if (held) {
        // A click with a modifier (new tab, window, download) keeps its own meaning.
        const modified = event.ctrlKey || event.metaKey || event.shiftKey || event.altKey;
        if (!feature.hold || modified || event.button !== 0) continue;
        const element = target.closest(feature.hold);
        if (!element) continue;
        event.preventDefault();
        event.stopImmediatePropagation();
        feature.pending.push({ type: "click", target: element });
      } else {
        feature.pending.push({ type: event.type, target, pointerType: event.pointerType });
      }
      load(feature);
    }
  }

  for (const type of INTENT) document.addEventListener(type, wanted, true);
  document.addEventListener("click", wanted, true);

  let observer = null;

  function scan() {
    if (observer) observer.disconnect();
    observer = null;
    for (const feature of features) {
      if (feature.loading) continue;
      const elements = document.querySelectorAll(feature.select);
      if (!elements.length) continue;
      if (feature.fragment && landing) {
        load(feature);
        continue;
      }
      if (!feature.near || !("IntersectionObserver" in window)) {
        if (feature.near) load(feature);
        continue;
      }
      observer ??= new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (!entry.isIntersecting) continue;
            for (const f of features) if (entry.target.matches(f.select)) load(f);
          }
        },
        { rootMargin: NEAR },
      );
      for (const element of elements) observer.observe(element);
    }
  }

  window.addEventListener("hashchange", () => {
    // A reader's jump is a fragment to land on (navigation.tracking rewrites the URL with
    // replaceState, which fires no hashchange): a script this loads holds it in view.
    landing = location.hash;
    for (const feature of features) {
      if (feature.fragment && document.querySelector(feature.select)) load(feature);
    }
  });

  /* In-page links are the browser's. Material's instant navigation takes every click on a
     link of the site, in-page ones too: it pushes the URL and clicks a detached copy of the
     link, which fires no hashchange (so the fragment features never heard of the jump) and,
     under request interception (every browser test), may scroll late, somewhere else, or not
     at all. A click on a link into this page stops bubbling at the content container, below
     Material's listener on body, after the container's own listeners ran, and the browser
     follows it as on any page: a history entry and a hashchange (Material closes its drawer
     on that). Search results carry `?h=` (search.highlight) and stay Material's. */
  function followsInPage(event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href);
    const here = location;
    if (!url.hash || url.origin !== here.origin || url.pathname !== here.pathname) return;
    if (url.search !== here.search) return;
    event.stopPropagation();
  }
  const watched = new WeakSet(); // Material replaces the container on instant navigation
  onPage(() => {
    const container = document.querySelector(".md-container");
    if (container && !watched.has(container)) {
      watched.add(container);
      container.addEventListener("click", followsInPage);
    }
  });

  window.textbook = { onPage, load: (name) => load(features.find((f) => f.name === name)) };
  onPage(scan);
})();
