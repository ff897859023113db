// Set-up step (run by tools/vendor_pyodide.py): numpy's Python modules compiled to bytecode,
// so that a reader's browser does not compile them on every first `import numpy`.
//
//   node tools/numpy_pyc.cjs VENDOR_DIR OUT_FILE [MODULE ...]
//
// Boots the vendored runtime (VENDOR_DIR/pyodide.js, the same CPython and bytecode magic as the
// browser's) in Node, loads the vendored numpy wheel, imports numpy and the MODULEs (what the
// chapter's cells import), and compiles every `.py` file of numpy that those imports loaded,
// with `py_compile` and `invalidation_mode=UNCHECKED_HASH`: the `.pyc` holds no time stamp and
// is used without looking at the source, whose mtime differs in every browser. OUT_FILE is a
// zip of `numpy/**/__pycache__/*.cpython-312.pyc`, names relative to site-packages, sorted, with
// fixed times and modes: the worker unpacks it into site-packages before importing numpy.
//
// Deterministic: the same vendored files give the same bytes (tools/vendor_pyodide.py makes it
// twice and compares). String hashing uses PYTHONHASHSEED=0.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const [vendorDir, outFile, ...modules] = process.argv.slice(2);
if (!vendorDir || !outFile) {
  console.error("usage: node tools/numpy_pyc.cjs VENDOR_DIR OUT_FILE [MODULE ...]");
  process.exit(2);
}

const COMPILE = `
import importlib, importlib.util, io, json, py_compile, sys, zipfile
from pathlib import Path

import numpy
for name in json.loads(MODULES):
    importlib.import_module(name)

site = Path(numpy.__file__).parent.parent
loaded = {
    Path(m.__file__) for m in list(sys.modules.values())
    if isinstance(getattr(m, "__file__", None), str) and m.__file__.endswith(".py")
    and Path(m.__file__).is_relative_to(site / "numpy")
}
cached = {Path(importlib.util.cache_from_source(str(source))): source for source in loaded}
entries = sorted((path.relative_to(site).as_posix(), path) for path in cached)
out = io.BytesIO()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    for name, path in entries:
        py_compile.compile(
            str(cached[path]), cfile=str(path), doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, path.read_bytes())
OUT = out.getvalue()
COUNT = len(loaded)
`;

async function main() {
  const indexURL = path.resolve(vendorDir) + path.sep;
  const { loadPyodide } = require(path.join(indexURL, "pyodide.js"));
  const pyodide = await loadPyodide({
    indexURL,
    fullStdLib: false,
    env: { PYTHONHASHSEED: "0", LANG: "C.UTF-8" },
  });
  const problems = [];
  await pyodide.loadPackage("numpy", {
    messageCallback: () => {},
    errorCallback: (message) => problems.push(message),
  });
  if (!pyodide.loadedPackages.numpy) {
    throw new Error("numpy could not be loaded from " + indexURL + ": " + problems.join(" "));
  }
  const globals = pyodide.toPy({ MODULES: JSON.stringify(modules) });
  pyodide.runPython(COMPILE, { globals });
  const data = globals.get("OUT").toJs();
  const count = globals.get("COUNT");
  fs.writeFileSync(outFile, data);
  console.log(`${outFile}: ${count} modules, ${data.length} bytes`);
}

main().catch((err) => {
  console.error(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
