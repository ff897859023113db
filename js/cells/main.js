// Runnable cells: turns each server-rendered `.tb-cell` (highlighted code + build-time output)
// into an editor with Run / Stop / Reset. Python runs in one shared Web Worker (Pyodide),
// created when a reader shows interest in a cell (focus, pointer resting on it, Run), never
// on page load.
import { mountEditor } from "./editor.js";
import { Runtime } from "./runtime.js";

const HERE = new URL(import.meta.url);
const WORKER_URL = new URL("./worker.js", HERE).href;
const INDEX_URL = new URL("../pyodide/", HERE).href;
const STORE_PREFIX = "tb-cell:";
const MAX_OUTPUT_CHARS = 200000;
// The pointer has rested on a cell this long: the reader is looking at it, start Python.
const INTENT_DWELL_MS = 250;

let runtime = null;
const live = new Set(); // cells on the current page (instant navigation swaps pages)
const cells = new WeakMap(); // root element -> Cell
const nearby =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (entry.isIntersecting) cells.get(entry.target)?.ensureEditor();
          }
        },
        { rootMargin: "1000px 0px" },
      )
    : null;

function getRuntime() {
  runtime ??= new Runtime(WORKER_URL, INDEX_URL);
  return runtime;
}

const storage = {
  get(id) {
    try {
      return localStorage.getItem(STORE_PREFIX + id);
    } catch {
      return null;
    }
  },
  set(id, code) {
    try {
      if (code === null) localStorage.removeItem(STORE_PREFIX + id);
      else localStorage.setItem(STORE_PREFIX + id, code);
    } catch {
      /* storage full or disabled: edits just don't persist */
    }
  },
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class Cell {
  constructor(root) {
    this.root = root;
    this.id = root.id;
    this.title = root.dataset.title || root.id;
    const codeBox = root.querySelector(".tb-cell__code");
    const code = codeBox.querySelector("pre code");
    // A <pre> draws no line for the code's final newline, an editor would: without it, the
    // editor is exactly as tall as the code it replaces and nothing below it moves.
    this.original = code.textContent.replace(/\n$/, "");
    // Material mounts code blocks only once they enter the viewport (content.lazy), and only
    // then makes an overflowing one focusable: until then the code can be scrolled from the
    // keyboard all the same. Material's mount settles the attribute (kept or removed).
    if (!code.hasAttribute("tabindex")) code.tabIndex = 0;
    this.output = root.querySelector(".tb-cell__output");
    this.originalOutput = Array.from(this.output.childNodes, (n) => n.cloneNode(true));
    this.badge = root.querySelector(".tb-cell__edited");
    this.status = root.querySelector(".tb-cell__status");
    this.buttons = {};
    for (const button of root.querySelectorAll("[data-action]")) {
      this.buttons[button.dataset.action] = button;
      button.addEventListener("click", () => this[button.dataset.action]());
    }
    this.job = null;
    this.codeBox = codeBox;
    this.editor = null; // mounted by ensureEditor() when the cell nears the viewport
    const stored = storage.get(this.id);
    this.initialCode = stored ?? this.original;
    this.markEdited(this.initialCode !== this.original);
    root.querySelector(".tb-cell__toolbar").hidden = false;
    // Warm the runtime as soon as the reader shows interest in a cell: focus in it, a press
    // on it, the pointer on its Run button, or the pointer resting on the cell. Resting, not
    // passing: a page scrolled under a still mouse moves each cell past the pointer.
    const warm = () => getRuntime().start().catch(() => {});
    root.addEventListener("focusin", warm, { once: true });
    root.addEventListener("pointerdown", warm, { once: true });
    let dwell = 0;
    root.addEventListener("pointerenter", () => {
      window.clearTimeout(dwell);
      dwell = window.setTimeout(warm, INTENT_DWELL_MS);
    });
    root.addEventListener("pointerleave", () => window.clearTimeout(dwell));
    // Tabbing into the header (the links before the code) must land next in the editor. Not
    // on any focus: a Run click focuses its button, and a layout change between press and
    // release would lose the click; run() mounts the editor itself.
    root.querySelector(".tb-cell__head").addEventListener("focusin", () => this.ensureEditor());
    this.buttons.run.addEventListener("pointerenter", warm, { once: true });
    root.dataset.tbEnhanced = "true";
    live.add(this);
    if (nearby) nearby.observe(root);
    else this.ensureEditor();
  }

  // Creating an editor costs several milliseconds of main thread per cell: it is done when
  // the cell comes within a couple of screens of the viewport, or is first used.
  ensureEditor() {
    if (this.editor) return this.editor;
    nearby?.unobserve(this.root);
    this.editor = mountEditor(this.codeBox, {
      value: this.initialCode,
      label: `Python code of the cell “${this.title}”`,
      onChange: (code) => this.changed(code),
      onRun: () => this.run(),
    });
    this.root.dataset.tbEditor = "true";
    return this.editor;
  }

  // The page was swapped away (instant navigation): stop whatever this cell left running.
  abandon() {
    live.delete(this);
    nearby?.unobserve(this.root);
    if (this.job) {
      const job = this.job;
      this.job = null;
      getRuntime().stop(job);
    }
  }

  changed(code) {
    const edited = code !== this.original;
    storage.set(this.id, edited ? code : null);
    this.markEdited(edited);
  }

  markEdited(edited) {
    this.root.classList.toggle("tb-cell--edited", edited);
    this.root.dataset.edited = String(edited);
    this.badge.hidden = !edited;
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  setBusy(busy) {
    this.buttons.run.disabled = busy;
    this.buttons.stop.disabled = !busy;
    this.root.dataset.state = busy ? "running" : "idle";
  }

  freshOutput(edited) {
    const label = el("p", "tb-cell__label", edited ? "Your output " : "Output ");
    const origin = edited ? "· edited code" : "· run in your browser";
    label.append(el("span", "tb-cell__origin", origin));
    this.pre = el("pre", "tb-cell__stream tb-cell__stream--empty");
    this.samp = el("samp");
    this.pre.append(this.samp);
    this.written = 0;
    this.truncated = false;
    this.output.replaceChildren(label, this.pre);
    this.output.dataset.origin = edited ? "reader" : "browser";
  }

  append(name, text, className) {
    if (!text || this.truncated) return;
    if (this.written + text.length > MAX_OUTPUT_CHARS) {
      text = text.slice(0, Math.max(0, MAX_OUTPUT_CHARS - this.written));
      this.truncated = true;
    }
    this.written += text.length;
    this.pre.classList.remove("tb-cell__stream--empty");
    const cls = className || (name === "stderr" ? "tb-cell__stderr" : null);
    const last = this.samp.lastChild;
    if (!cls && last && last.nodeType === Node.TEXT_NODE) last.appendData(text);
    else if (cls && last && last.nodeType === Node.ELEMENT_NODE && last.className === cls) {
      last.firstChild.appendData(text);
    } else if (cls) this.samp.append(el("span", cls, text));
    else this.samp.append(document.createTextNode(text));
    if (this.truncated) {
      this.samp.append(el("span", "tb-cell__note", "\n… output truncated (too long to show)\n"));
    }
  }

  run() {
    if (this.job) return;
    const code = this.ensureEditor().value;
    const edited = code !== this.original;
    const rt = getRuntime();
    this.freshOutput(edited);
    this.setBusy(true);
    const busy = rt.current || rt.queue.length;
    this.setStatus(
      busy ? "Waiting for another cell…" : rt.startupMs ? "Running…" : "Starting Python…",
    );
    const started = performance.now();
    const job = rt.run(code, this.id, {
      onStart: () => this.setStatus("Running…"),
      onStream: (chunks) => {
        for (const [name, text] of chunks) this.append(name, text);
      },
      onDone: (result) => this.finished(job, result, performance.now() - started),
    });
    this.job = job;
  }

  finished(job, result, wallMs) {
    if (this.job !== job) return;
    this.job = null;
    this.setBusy(false);
    this.root.dataset.lastRunMs = String(Math.round(wallMs));
    // Start messages on a line of their own.
    const sep = this.written && !this.samp.textContent.endsWith("\n") ? "\n" : "";
    if (result.error && !result.stopped) {
      this.append("stderr", sep + result.error, "tb-cell__error");
      this.setStatus(result.fatal ? "Python is unavailable" : "Error");
    } else if (result.stopped) {
      const note = result.reset
        ? "Stopped. Python was restarted, so variables and imports from earlier runs are gone."
        : "Stopped (KeyboardInterrupt). Variables from earlier runs are kept.";
      this.append("stderr", sep + note + "\n", "tb-cell__note");
      this.setStatus(result.reset ? "Stopped, Python restarted" : "Stopped");
    } else {
      this.setStatus(`Done in ${Math.round(result.ms)} ms`);
    }
    this.root.dataset.runs = String(Number(this.root.dataset.runs || 0) + 1);
  }

  stop() {
    if (!this.job) return;
    this.setStatus("Stopping…");
    getRuntime().stop(this.job);
  }

  reset() {
    if (this.job) {
      const job = this.job;
      this.job = null;
      getRuntime().stop(job);
      this.setBusy(false);
    }
    this.ensureEditor().setValue(this.original);
    storage.set(this.id, null);
    this.markEdited(false);
    this.output.replaceChildren(...this.originalOutput.map((n) => n.cloneNode(true)));
    delete this.output.dataset.origin;
    this.setStatus("Original code and output restored");
  }
}

function enhance() {
  for (const cell of live) if (!cell.root.isConnected) cell.abandon();
  for (const root of document.querySelectorAll(".tb-cell:not([data-tb-enhanced])")) {
    if (!root.querySelector(".tb-cell__code pre code")) continue;
    try {
      cells.set(root, new Cell(root));
    } catch (err) {
      console.error(`cell ${root.id}: could not set up the editor`, err);
    }
  }
}

window.textbook.onPage(enhance); // textbook.js: each page once, across instant navigation
