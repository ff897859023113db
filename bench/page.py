"""Page metrics in headless Chromium, before any interaction.

Per load: a fresh browser context (an empty HTTP cache), optionally the CPU throttled
(``Emulation.setCPUThrottlingRate``); the page is loaded and left alone until the network and
the main thread have been quiet for a while. What goes over the network is read in one load
driven by Playwright (``load_once``: the Network domain sees every request, workers' too); the
timings in loads over a bare DevTools pipe (``timed_load``, ``bench.cdp_pipe``), because the
DevTools domains Playwright enables cost the page main-thread time (see ``bench/cdp_pipe.py``).

- bytes: sum of ``encodedDataLength`` of ``Network.loadingFinished`` (what came over the
  wire, gzip as served, headers included), plus, for the requests whose end the page's CDP
  session never sees (a worker's own script finishes on the worker's target), the body bytes
  the server sent for them; the server's own total is kept as a cross-check;
- FCP: the ``first-contentful-paint`` paint entry; LCP: the last ``largest-contentful-paint``
  entry (nothing is clicked or scrolled, so the browser never stops reporting candidates early);
- math: when every formula is typeset. If the HTML as served already holds no raw TeX
  (``\\(``, ``\\[``, ``$$`` in body text outside code and KaTeX markup; read in Python, so
  that the page's own tasks carry none of this check) and has KaTeX markup, math is typeset at
  first paint (= FCP); otherwise the moment every ``.arithmatex`` element holds a ``.katex``
  child (seen by a MutationObserver, installed only for such pages), never earlier than FCP;
- CLS: sum of ``layout-shift`` entries without recent input (buffered); the largest
  5 s / 1 s session window (Web Vitals' definition) is kept too;
- TBT: long tasks after FCP, sum of (duration - 50 ms), the part before FCP clipped;
- external requests: any request to a host other than 127.0.0.1 (Chromium is also pointed
  at a dead proxy, so such a request could not succeed).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.browser.chromium import CHROMIUM
from tests.browser.chromium import CHROMIUM_ARGS as BROWSER_ARGS

# Belt and braces: anything not on the loopback goes to a closed port.
CHROMIUM_ARGS = [*BROWSER_ARGS, "--proxy-server=127.0.0.1:9"]
VIEWPORT = {"width": 1280, "height": 800}
QUIET_MS = 1000  # no request in flight and no long task for this long: the load is over
MAX_WAIT_S = 90.0

# Installed before the page's own scripts. `__WATCH_MATH__` is replaced by true for a page whose
# HTML still holds raw TeX: only then does a MutationObserver time the typesetting (it sees
# every node the parser inserts, work that would otherwise land in the measured tasks).
OBSERVERS = r"""(() => {
  const b = window.__bench = {shifts: [], longtasks: [], fcp: null, lcp: null, mathAt: null,
                              arithmatex: 0};
  const po = (type, fn) => {
    try { new PerformanceObserver((l) => l.getEntries().forEach(fn))
            .observe({type, buffered: true}); } catch (e) {}
  };
  po('layout-shift', (e) => { if (!e.hadRecentInput) b.shifts.push([e.startTime, e.value]); });
  po('longtask', (e) => b.longtasks.push([e.startTime, e.duration]));
  po('paint', (e) => { if (e.name === 'first-contentful-paint') b.fcp = e.startTime; });
  po('largest-contentful-paint', (e) => { b.lcp = e.startTime; });
  const SKIP = new Set(['SCRIPT', 'STYLE', 'CODE', 'PRE', 'TEXTAREA', 'NOSCRIPT', 'TEMPLATE',
                        'ANNOTATION', 'SAMP', 'KBD']);
  b.rawTex = () => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let n = 0;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const s = t.nodeValue;
      if (s.indexOf('\\(') < 0 && s.indexOf('\\[') < 0 && s.indexOf('$$') < 0) continue;
      let el = t.parentElement, skip = false;
      for (; el; el = el.parentElement) {
        if (SKIP.has(el.tagName.toUpperCase()) || el.classList.contains('katex')) {
          skip = true; break;
        }
      }
      if (!skip) n++;
    }
    return n;
  };
  if (!__WATCH_MATH__) return;
  const allTypeset = () => {
    const els = document.getElementsByClassName('arithmatex');
    b.arithmatex = els.length;
    for (const el of els) if (!el.getElementsByClassName('katex').length) return false;
    return document.getElementsByClassName('katex').length > 0;
  };
  let ready = false;
  const check = () => {
    if (!ready || b.mathAt !== null) return;
    if (allTypeset()) { b.mathAt = performance.now(); observer.disconnect(); }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', () => {
    ready = true;
    check();
  });
})();"""

SKIPPED_TAGS = {"script", "style", "code", "pre", "textarea", "noscript", "template"}
SKIPPED_TAGS |= {"annotation", "samp", "kbd"}
RAW_TEX = ("\\(", "\\[", "$$")


class _TexScan(HTMLParser):
    """Counts body text nodes holding raw TeX outside code and KaTeX markup, and KaTeX roots."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.skipping: str | None = None  # the tag of the element whose text is skipped
        self.depth = 0  # how many of that tag are open inside it, itself included
        self.raw_tex = 0
        self.katex = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        self.in_body = self.in_body or tag == "body"
        self.katex += "katex" in classes
        if self.skipping is None and (tag in SKIPPED_TAGS or "katex" in classes):
            self.skipping, self.depth = tag, 1
        elif tag == self.skipping:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.katex += "katex" in (dict(attrs).get("class") or "").split()

    def handle_endtag(self, tag):
        if tag == self.skipping:
            self.depth -= 1
            if self.depth == 0:
                self.skipping = None

    def handle_data(self, data):
        if self.in_body and self.skipping is None and any(m in data for m in RAW_TEX):
            self.raw_tex += 1


def tex_in_html(html: str) -> tuple[int, int]:
    """(text nodes of the body with raw TeX outside code and KaTeX, KaTeX formulas)."""
    scan = _TexScan()
    scan.feed(html)
    scan.close()
    return scan.raw_tex, scan.katex


COLLECT = """() => {
  const b = window.__bench;
  return {fcp: b.fcp, lcp: b.lcp, mathAt: b.mathAt,
          rawTexAtEnd: b.rawTex(), arithmatex: b.arithmatex, shifts: b.shifts,
          longtasks: b.longtasks,
          katex: document.getElementsByClassName('katex').length,
          load: performance.getEntriesByType('navigation')[0].loadEventEnd};
}"""


def total_blocking_time(tasks: list[tuple[float, float]], fcp: float) -> float:
    """Sum of (duration - 50 ms) over long tasks after FCP; a task spanning FCP counts from FCP."""
    total = 0.0
    for start, duration in tasks:
        end = start + duration
        if end <= fcp:
            continue
        blocking = end - max(start, fcp)
        total += max(0.0, blocking - 50.0)
    return total


def cls_session_max(shifts: list[tuple[float, float]]) -> float:
    """Web Vitals CLS: the largest session window (gaps < 1 s, window <= 5 s)."""
    best = current = 0.0
    first = last = None
    for start, value in sorted(shifts):
        if first is not None and start - last < 1000 and start - first < 5000:
            current += value
        else:
            current, first = value, start
        last = start
        best = max(best, current)
    return best


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", ""):
        return True
    return parts.hostname == "127.0.0.1"


@dataclass
class Load:
    bytes: int
    bytes_cdp: int
    bytes_server: int
    requests: int
    external: list[str]
    fcp_ms: float
    lcp_ms: float | None
    math_ms: float | None
    math_at_first_paint: bool
    raw_tex_in_html: int
    raw_tex_at_end: int
    formulas: int
    cls: float
    cls_window: float
    tbt_ms: float
    long_tasks: int
    load_ms: float
    failed: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in vars(self).items()}


LONG_TASK_COUNT = "window.__bench.longtasks.length"


def observers_for(html: str) -> tuple[int, bool, str]:
    """(raw TeX left in the HTML, whether its math is typeset already, the init script)."""
    raw_tex, katex = tex_in_html(html)
    typeset_in_html = raw_tex == 0 and katex > 0
    watch = "false" if typeset_in_html else "true"
    return raw_tex, typeset_in_html, OBSERVERS.replace("__WATCH_MATH__", watch)


def wait_until_quiet(long_tasks, last_activity, pause) -> None:
    """Until neither a new long task nor any request (``last_activity()``, a monotonic time) has
    come for QUIET_MS, or MAX_WAIT_S have passed: the load is over."""
    deadline = time.monotonic() + MAX_WAIT_S
    seen_tasks, task_seen_at = -1, time.monotonic()
    while time.monotonic() < deadline:
        pause()
        tasks = long_tasks()
        if tasks != seen_tasks:
            seen_tasks, task_seen_at = tasks, time.monotonic()
        if (time.monotonic() - max(task_seen_at, last_activity())) * 1000 >= QUIET_MS:
            break


def load_once(browser, server, path: str, rate: float) -> Load:
    html = server.read_page(path)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    inflight: dict[str, str] = {}
    sizes: dict[str, float] = {}
    urls: list[str] = []
    failed: list[str] = []
    last_activity = [time.monotonic()]

    def sent(event: dict) -> None:
        inflight[event["requestId"]] = event["request"]["url"]
        urls.append(event["request"]["url"])
        last_activity[0] = time.monotonic()

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = event.get("encodedDataLength", 0)
        inflight.pop(event["requestId"], None)
        last_activity[0] = time.monotonic()

    def failed_(event: dict) -> None:
        failed.append(inflight.pop(event["requestId"], "?") + f" ({event.get('errorText')})")
        last_activity[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed_)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if rate > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    raw_tex, typeset_in_html, observers = observers_for(html)
    page.add_init_script(observers)
    server.stats.reset()
    page.goto(server.url + path, wait_until="load", timeout=MAX_WAIT_S * 1000)
    wait_until_quiet(
        lambda: page.evaluate(LONG_TASK_COUNT),
        lambda: max(last_activity[0], server.stats.last_request),
        lambda: page.wait_for_timeout(250),
    )
    data = page.evaluate(COLLECT)
    context.close()
    unseen = {urlsplit(url).path for url in inflight.values() if is_local(url)}
    with server.stats.lock:
        unseen_bytes = sum(server.stats.bytes_by_path.get(path, 0) for path in unseen)
    return Load(
        bytes=int(sum(sizes.values())) + unseen_bytes,
        bytes_cdp=int(sum(sizes.values())),
        bytes_server=server.stats.total(),
        requests=len(urls),
        external=sorted({u for u in urls if not is_local(u)}),
        raw_tex_in_html=raw_tex,
        failed=failed,
        **timings(data, typeset_in_html),
    )


TIMING_FIELDS = (
    "fcp_ms", "lcp_ms", "math_ms", "math_at_first_paint", "raw_tex_at_end", "formulas", "cls",
    "cls_window", "tbt_ms", "long_tasks", "load_ms",
)  # fmt: skip


def timings(data: dict, typeset_in_html: bool) -> dict:
    """The timing fields of a `Load` from what `COLLECT` returned."""
    fcp = data["fcp"] or 0.0
    if typeset_in_html:
        math_ms: float | None = fcp
    elif data["mathAt"] is not None:
        math_ms = max(fcp, data["mathAt"])
    else:
        math_ms = None
    shifts = [(s, v) for s, v in data["shifts"]]
    return {
        "fcp_ms": fcp,
        "lcp_ms": data["lcp"],
        "math_ms": math_ms,
        "math_at_first_paint": typeset_in_html,
        "raw_tex_at_end": data["rawTexAtEnd"],
        "formulas": data["katex"],
        "cls": sum(v for _, v in shifts),
        "cls_window": cls_session_max(shifts),
        "tbt_ms": total_blocking_time([tuple(t) for t in data["longtasks"]], fcp),
        "long_tasks": len(data["longtasks"]),
        "load_ms": data["load"],
    }


def timed_load(pipe, server, path: str, rate: float, network: Load) -> Load:
    """One load in Chromium over a bare DevTools pipe (`bench.cdp_pipe`): the
    timings are its own, the bytes and requests those of `network`, a Playwright load of the
    same page (they do not vary between loads)."""
    _, typeset_in_html, observers = observers_for(server.read_page(path))
    context, session = pipe.new_page(VIEWPORT, rate, observers)
    try:
        server.stats.reset()
        pipe.send("Page.navigate", {"url": server.url + path}, session)
        pipe.wait_event("Page.loadEventFired", session, MAX_WAIT_S)
        wait_until_quiet(
            lambda: pipe.evaluate(session, LONG_TASK_COUNT),
            lambda: server.stats.last_request,
            lambda: time.sleep(0.25),
        )
        data = pipe.evaluate(session, f"({COLLECT})()")
    finally:
        pipe.close_context(context)
    fields = {k: v for k, v in vars(network).items() if k not in TIMING_FIELDS}
    return Load(**fields, **timings(data, typeset_in_html))


def summarize(loads: list[Load]) -> dict:
    """Medians of the timing metrics; sizes and counts from the first load (they are fixed)."""

    def median(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(statistics.median(present), 4) if present else None

    first = loads[0]
    return {
        "runs": len(loads),
        "bytes": first.bytes,
        "bytes_cdp": first.bytes_cdp,
        "bytes_server": first.bytes_server,
        "requests": first.requests,
        "external_requests": len({u for load in loads for u in load.external}),
        "fcp_ms": median([x.fcp_ms for x in loads]),
        "lcp_ms": median([x.lcp_ms for x in loads]),
        "math_ms": median([x.math_ms for x in loads]),
        "math_at_first_paint": all(x.math_at_first_paint for x in loads),
        "raw_tex_in_html": first.raw_tex_in_html,
        "raw_tex_at_end": max(x.raw_tex_at_end for x in loads),
        "formulas": first.formulas,
        "cls": median([x.cls for x in loads]),
        "cls_window": median([x.cls_window for x in loads]),
        "tbt_ms": median([x.tbt_ms for x in loads]),
        "load_ms": median([x.load_ms for x in loads]),
        "samples": [x.as_json() for x in loads],
    }


def measure_sites(sites: dict[str, tuple], runs: dict[float, int], log=print) -> dict:
    """``sites``: name -> (StaticServer, page path); ``runs``: CPU slow-down -> loads.

    Per slow-down, one Playwright load of each site gives what goes over the network (bytes,
    requests, any outside 127.0.0.1); the timed loads then run in Chromium over a bare DevTools
    pipe (`bench.cdp_pipe`), the sites taking turns load by load, so that a burst of load on
    the shared machine falls on all of them, not on one site's block of loads.
    Returns name -> "1x"/"4x" -> summary. The servers have compressed every file already.
    """
    from playwright.sync_api import sync_playwright

    from bench.cdp_pipe import PipeChromium

    network: dict[tuple[str, float], Load] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for rate in runs:
                for name, (server, path) in sites.items():
                    network[name, rate] = load_once(browser, server, path, rate)
        finally:
            browser.close()
    results: dict[str, dict] = {name: {} for name in sites}
    with PipeChromium(CHROMIUM, CHROMIUM_ARGS) as pipe:
        for rate, count in runs.items():
            loads: dict[str, list[Load]] = {name: [] for name in sites}
            for _ in range(count):
                for name, (server, path) in sites.items():
                    timed = timed_load(pipe, server, path, rate, network[name, rate])
                    loads[name].append(timed)
            for name in sites:
                s = results[name][f"{rate:g}x"] = summarize(loads[name])
                s["instrumented"] = network[name, rate].as_json()
                log(
                    f"  page {name} {rate:g}x: {s['bytes'] / 1e3:.0f} KB, {s['requests']} "
                    f"requests, FCP {s['fcp_ms']:.0f} ms, LCP {s['lcp_ms']} ms, math "
                    f"{s['math_ms']} ms, CLS {s['cls']:.4f}, TBT {s['tbt_ms']:.0f} ms"
                )
    return results
