// Set-up step (run by tools/vendor_pyodide.py): a memory snapshot of Pyodide right after its
// interpreter has started, so that a reader's browser restores it instead of starting Python
// (about three quarters of the runtime's start-up on a 2-core machine).
//
//   node tools/pyodide_snapshot.cjs VENDOR_DIR OUT_FILE
//
// Boots the vendored runtime (VENDOR_DIR/pyodide.js, the same files the site serves) in Node
// with Pyodide's experimental `_makeSnapshot` option, and writes the snapshot gzip-compressed
// (the worker inflates it with DecompressionStream). numpy is not in it: a snapshot cannot hold
// loaded WebAssembly side modules, so the worker loads numpy after the restore.
//
// Deterministic: the same vendored files give the same bytes. While the snapshot is made the
// clock is fixed and the random source returns zeros (the heap would otherwise keep file times
// and the seed of the `random` module; the worker reseeds `random` after the restore). String
// hashing uses PYTHONHASHSEED=0, LANG is C.UTF-8, and the program name is the one a browser
// gets, so nothing of this machine ends up in the snapshot.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const nodeCrypto = require("node:crypto");

const [vendorDir, outFile] = process.argv.slice(2);
if (!vendorDir || !outFile) {
  console.error("usage: node tools/pyodide_snapshot.cjs VENDOR_DIR OUT_FILE");
  process.exit(2);
}

const FIXED_TIME_MS = Date.UTC(2000, 0, 1);
Date.now = () => FIXED_TIME_MS;
const zeros = (array) => {
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(0);
  return array;
};
globalThis.crypto.getRandomValues = zeros;
nodeCrypto.randomFillSync = zeros;

async function main() {
  const indexURL = path.resolve(vendorDir) + path.sep;
  const { loadPyodide } = require(path.join(indexURL, "pyodide.js"));
  const pyodide = await loadPyodide({
    indexURL,
    fullStdLib: false,
    _makeSnapshot: true,
    _sysExecutable: "./this.program", // what a browser's runtime is called
    env: { PYTHONHASHSEED: "0", LANG: "C.UTF-8" },
  });
  // loadPyodide puts "" in front of sys.path, and does so again after a restore.
  pyodide.runPython("__import__('sys').path.remove('')");
  // The standard library modules `import numpy` needs besides the started interpreter's: in the
  // snapshot they need not be compiled from python_stdlib.zip's sources in the browser (zipimport
  // keeps no bytecode). ctypes opens the main module with dlopen when imported: after a restore
  // its calls (`pythonapi`, `CDLL(None)`, numpy's `.ctypes`) were checked to still work.
  pyodide.runPython("import __future__, ctypes, hashlib, hmac, numbers, pickle, platform, secrets");
  const snapshot = pyodide.makeMemorySnapshot();
  const compressed = zlib.gzipSync(snapshot, { level: 9 });
  fs.writeFileSync(outFile, compressed);
  console.log(`${outFile}: ${snapshot.length} bytes (${compressed.length} gzip)`);
}

main().catch((err) => {
  console.error(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
