// The "outdated edition" banner of an old edition links to where the reader is, in the latest
// edition: the same page and anchor or, when the anchor moved or was renamed, where latest's
// anchors.json says it is now (its anchors, and its aliases of old ids). Runs on every page that
// Material's instant navigation shows, and when the fragment changes. It also makes the version
// selector keep the fragment (below).
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script) return;
  const editionRoot = new URL("../../", script.src); // <site>/<edition>/ (this is assets/js/)
  const latestRoot = new URL("../latest/", editionRoot);
  let registry = null;

  function latestAnchors() {
    registry ??= fetch(new URL("anchors.json", latestRoot))
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null);
    return registry;
  }

  function currentPage() {
    const path = location.pathname;
    return path.startsWith(editionRoot.pathname) ? path.slice(editionRoot.pathname.length) : "";
  }

  // [page, anchor] of `id` (seen on `page`) in the latest edition.
  function resolve(data, page, id) {
    if (!id || !data) return [page, id];
    const anchor = data.anchors.find((a) => a.id === id);
    if (anchor) return [anchor.page, id];
    const alias =
      data.aliases.find((a) => a.id === id && a.page === page) ||
      data.aliases.find((a) => a.id === id);
    if (!alias) return [page, id];
    const target = data.anchors.find((a) => a.id === alias.target);
    return [target ? target.page : page, alias.target];
  }

  async function update() {
    const links = document.querySelectorAll("a.tb-outdated__link");
    if (!links.length) return;
    const id = decodeURIComponent(location.hash.slice(1));
    const here = currentPage();
    const [page, anchor] = resolve(id ? await latestAnchors() : null, here, id);
    const href = new URL(page, latestRoot).href + (anchor ? `#${encodeURIComponent(anchor)}` : "");
    for (const link of links) link.href = href;
  }

  // Material's version selector finds the same page in the chosen edition, but reads the
  // fragment from the address bar, which navigation.tracking rewrites as the reader scrolls (the
  // selector is only in view at the top of the page, where the fragment is gone). So the switch
  // is made here, keeping the fragment the reader last followed (the link they arrived by, or a
  // link within the page), else the section the address bar shows. A page the chosen edition
  // lacks leads to that edition's start page.
  let followed = location.hash;
  async function switchEdition(root, hash) {
    const page = new URL(currentPage(), root);
    let target = root.href;
    try {
      const response = await fetch(page, { method: "HEAD" });
      if (response.ok) target = page.href + hash;
    } catch {
      // offline or gone: the edition's start page still works
    }
    location.href = target;
  }

  window.addEventListener(
    "click",
    (event) => {
      const link = event.target instanceof Element && event.target.closest("a.md-version__link");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      switchEdition(new URL(link.href), followed || location.hash);
    },
    true,
  );
  function arrived() {
    followed = location.hash;
    update();
  }

  window.addEventListener("hashchange", arrived);
  window.addEventListener("popstate", arrived);
  if (window.document$) window.document$.subscribe(arrived);
  else arrived();
})();
