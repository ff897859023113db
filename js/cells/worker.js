// Web Worker running Pyodide for the runnable cells (bundled as a classic script).
// Protocol, page -> worker:
//   {type: "init", indexURL, interrupt: SharedArrayBuffer | null}
//   {type: "run", id, code, filename}
// worker -> page:
//   {type: "ready", ms, snapshot, phases: {boot, pyc, setup, numpy}}, {type: "fatal", message}
//   {type: "stream", id, chunks: [[name, text], ...]}
//     The first output of a run is posted at once; after that at most one message per
//     FLUSH_MS while output keeps coming (a busy worker has no timers), and the rest at the end.
//   {type: "done", id, error: string | null, ms}
import runnerSource from "./runner.py";

const FLUSH_MS = 50;
const FLUSH_BYTES = 1 << 16;
const describe = (err) => String(err && err.message ? err.message : err);

let pyodide = null;
let runner = null;
let currentId = null;
let pending = [];
let pendingSize = 0;
let lastFlush = 0;

function flush() {
  if (pending.length) {
    self.postMessage({ type: "stream", id: currentId, chunks: pending });
    pending = [];
    pendingSize = 0;
  }
  lastFlush = performance.now();
}

function emit(name, text) {
  if (!text) return;
  const last = pending[pending.length - 1];
  if (last && last[0] === name) last[1] += text;
  else pending.push([name, text]);
  pendingSize += text.length;
  if (pendingSize >= FLUSH_BYTES || performance.now() - lastFlush >= FLUSH_MS) flush();
}

function streamTo(name) {
  const decoder = new TextDecoder();
  return {
    isatty: true, // line-buffered: output arrives while a long cell is still running
    write(buffer) {
      emit(name, decoder.decode(buffer, { stream: true }));
      return buffer.length;
    },
  };
}

// A memory snapshot of the interpreter right after start-up, made at set-up by
// tools/pyodide_snapshot.cjs from these same runtime files (gzip: it is 20 MB of heap).
// Restoring it skips most of Python's start-up; numpy is loaded after the restore.
const SNAPSHOT = "pyodide-snapshot.bin.gz";

function fetchSnapshot(indexURL) {
  // Without DecompressionStream (older browsers), Python starts the ordinary, slower way.
  if (typeof DecompressionStream !== "function") return null;
  return fetch(indexURL + SNAPSHOT)
    .then((response) => {
      if (!response.ok) throw new Error(`${SNAPSHOT}: HTTP ${response.status}`);
      return response.arrayBuffer();
    })
    .then((data) => {
      // A host that serves .gz files with Content-Encoding: gzip has inflated it already.
      const head = new Uint8Array(data, 0, 2);
      if (head[0] !== 0x1f || head[1] !== 0x8b) return data;
      const inflated = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(inflated).arrayBuffer();
    });
}

// numpy's Python modules compiled to bytecode at set-up by this same runtime
// (tools/numpy_pyc.cjs: `__pycache__/*.cpython-312.pyc` with unchecked hashes, names relative to
// site-packages). Unpacked before numpy is imported, so the browser compiles none of them.
const NUMPY_PYC = "numpy-pyc.zip";

function fetchNumpyPyc(indexURL) {
  return fetch(indexURL + NUMPY_PYC).then((response) => {
    if (!response.ok) throw new Error(`${NUMPY_PYC}: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
}

async function init({ indexURL, interrupt }) {
  const t0 = performance.now();
  // In flight while pyodide.js and pyodide.asm.js load and the WebAssembly compiles.
  const snapshot = fetchSnapshot(indexURL);
  const numpyPyc = fetchNumpyPyc(indexURL);
  numpyPyc.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
  self.importScripts(indexURL + "pyodide.js");
  // numpy is fetched while the interpreter boots (or is restored).
  pyodide = await self.loadPyodide({
    indexURL,
    fullStdLib: false,
    packages: ["numpy"],
    ...(snapshot ? { _loadSnapshot: snapshot } : {}),
  });
  if (snapshot) {
    // The snapshot was made with a fixed random source: give `random` a seed of this run.
    pyodide.runPython("import random\nrandom.seed()");
  }
  const booted = performance.now();
  if (!pyodide.loadedPackages.numpy) {
    const problems = [];
    await pyodide.loadPackage("numpy", {
      messageCallback: () => {},
      errorCallback: (message) => problems.push(message),
    });
    if (!pyodide.loadedPackages.numpy) {
      throw new Error("numpy could not be loaded. " + problems.join(" "));
    }
  }
  const sitePackages = pyodide.runPython("__import__('site').getsitepackages()[0]");
  pyodide.unpackArchive(await numpyPyc, "zip", { extractDir: sitePackages });
  const unpacked = performance.now();
  pyodide.setStdout(streamTo("stdout"));
  pyodide.setStderr(streamTo("stderr"));
  if (interrupt) pyodide.setInterruptBuffer(new Int32Array(interrupt));
  pyodide.FS.mkdirTree("/tb");
  pyodide.FS.writeFile("/tb/tb_runner.py", runnerSource);
  pyodide.runPython("import sys\nsys.path.insert(0, '/tb')");
  runner = pyodide.pyimport("tb_runner");
  const imported = performance.now();
  pyodide.runPython("import numpy"); // part of warming up, not of the first run
  const done = performance.now();
  self.postMessage({
    type: "ready",
    ms: done - t0,
    snapshot: Boolean(snapshot),
    phases: {
      boot: booted - t0,
      pyc: unpacked - booted,
      setup: imported - unpacked,
      numpy: done - imported,
    },
  });
}

function run({ id, code, filename }) {
  currentId = id;
  lastFlush = 0; // the first output of a run is sent at once, later ones batched

  const t0 = performance.now();
  let error = null;
  try {
    error = runner.run(code, filename) ?? null;
  } catch (err) {
    error = describe(err);
  }
  flush();
  self.postMessage({ type: "done", id, error, ms: performance.now() - t0 });
  currentId = null;
}

function fatal(message) {
  self.postMessage({ type: "fatal", message });
}

// Pyodide compiles WebAssembly: a Content-Security-Policy on this worker's response without
// 'wasm-unsafe-eval' in script-src would otherwise leave it hanging without an error.
self.addEventListener("securitypolicyviolation", (event) => {
  if (!runner) {
    fatal(
      `this site's Content-Security-Policy for the worker blocks ${event.blockedURI} ` +
        `(${event.effectiveDirective} needs 'wasm-unsafe-eval')`,
    );
  }
});
self.addEventListener("unhandledrejection", (event) => {
  if (!runner) fatal(describe(event.reason));
});

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    init(msg).catch((err) => fatal(describe(err)));
  } else if (msg.type === "run") {
    run(msg);
  }
};
