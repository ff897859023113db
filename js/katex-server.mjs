// Long-lived KaTeX renderer for the build (driven by textbook/katex.py).
//
// Protocol: JSON lines. Request on stdin:  {"id": 1, "tex": "x^2", "display": false}
// Response on stdout:                      {"id": 1, "html": "<span class=\"katex\">…"}
//                                     or   {"id": 1, "error": {"message", "position", "length"}}
// The first line written is {"ready": {"katex": VERSION, "options": OPTIONS}} so the caller can
// check the KaTeX version and options it keys its cache on. `position` and `length` count
// UTF-16 code units (JavaScript string indices) into `tex`; both are null when KaTeX gives none.
// Stdout carries JSON only; diagnostics go to stderr.
//
// katex is resolved from the project's node_modules (the one next to this js/ folder).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const katex = require("katex");

const OPTIONS = Object.freeze({
  output: "htmlAndMathml",
  strict: "error",
  throwOnError: true,
  trust: false,
});

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function errorOf(err) {
  const isParse = err instanceof katex.ParseError;
  return {
    message: String(err && err.message ? err.message : err),
    position: isParse && Number.isInteger(err.position) ? err.position : null,
    length: isParse && Number.isInteger(err.length) ? err.length : null,
  };
}

function handle(line) {
  if (line.trim() === "") return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    send({ id: null, error: { message: `bad request line: ${err.message}`, position: null, length: null } });
    return;
  }
  const { id, tex, display } = req;
  if (typeof tex !== "string" || typeof display !== "boolean") {
    send({ id, error: { message: "request needs a string 'tex' and a boolean 'display'", position: null, length: null } });
    return;
  }
  try {
    send({ id, html: katex.renderToString(tex, { ...OPTIONS, displayMode: display }) });
  } catch (err) {
    send({ id, error: errorOf(err) });
  }
}

send({ ready: { katex: katex.version, options: OPTIONS } });
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on("line", handle);
rl.on("close", () => process.exit(0));
