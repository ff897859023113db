// One Python runtime (a Web Worker running Pyodide) shared by every cell of the page.
// Nothing is fetched until start() is called (first Run, or warming on focus).

// After an interrupt request, wait this long for KeyboardInterrupt (a long numpy call only
// notices it when it returns) before terminating the worker instead.
const INTERRUPT_GRACE_MS = 3000;

export class Runtime {
  constructor(workerURL, indexURL) {
    this.workerURL = workerURL;
    this.indexURL = indexURL;
    this.worker = null;
    this.ready = null;
    this.queue = [];
    this.current = null;
    this.seq = 0;
    this.interrupt = null;
    this.listeners = new Set();
  }

  // Subscribe to runtime-wide events ({type: "reset"}) — e.g. state lost after a restart.
  onEvent(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get started() {
    return this.worker !== null;
  }

  start() {
    if (this.worker) return this.ready;
    const worker = new Worker(this.workerURL);
    this.worker = worker;
    this.startupMs = null; // set when this worker is ready
    this.interrupt =
      self.crossOriginIsolated && typeof SharedArrayBuffer === "function"
        ? new Int32Array(new SharedArrayBuffer(4))
        : null;
    let started = false;
    const ready = new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        if (event.data.type === "ready") started = true;
        this._message(event.data, resolve, reject);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        const message = event.message || "the Python worker stopped unexpectedly";
        if (started) this._crash(worker, message);
        else reject(new Error(message));
      };
    });
    this.ready = ready;
    ready.catch((err) => {
      if (this.worker === worker) this._failAll(err);
    });
    worker.postMessage({
      type: "init",
      indexURL: this.indexURL,
      interrupt: this.interrupt ? this.interrupt.buffer : null,
    });
    return ready;
  }

  // Queue code to run. handlers: onStart(), onStream(chunks),
  // onDone({error, ms, stopped, reset, fatal}).
  run(code, filename, handlers) {
    const job = { id: ++this.seq, code, filename, handlers, done: false };
    this.queue.push(job);
    this.start().then(() => this._next(), () => {});
    return job;
  }

  stop(job) {
    if (job.done) return;
    const index = this.queue.indexOf(job);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this._finish(job, { error: null, stopped: true });
      return;
    }
    if (job !== this.current) return;
    if (this.interrupt) {
      Atomics.store(this.interrupt, 0, 2); // SIGINT: Python raises KeyboardInterrupt
      job.stopTimer = setTimeout(() => {
        if (this.current === job) this.restart(job);
      }, INTERRUPT_GRACE_MS);
    } else {
      this.restart(job);
    }
  }

  // Hard stop: terminate the worker (all Python state is lost) and start a fresh one.
  restart(job) {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.ready = null;
    this.current = null;
    if (job) this._finish(job, { error: null, stopped: true, reset: true });
    for (const fn of this.listeners) fn({ type: "reset" });
    const waiting = this.queue.length > 0;
    this.start().then(() => this._next(), () => {});
    return waiting;
  }

  _message(msg, resolve, reject) {
    if (msg.type === "ready") {
      this.startupMs = msg.ms;
      // For benchmarks and curious readers: how long the runtime took to start, by phase.
      window.dispatchEvent(
        new CustomEvent("tb-cells:runtime-ready", {
          detail: { ms: msg.ms, phases: msg.phases, snapshot: msg.snapshot },
        }),
      );
      resolve();
    } else if (msg.type === "fatal") {
      reject(new Error(msg.message));
    } else if (msg.type === "stream") {
      const job = this.current;
      if (job && job.id === msg.id) job.handlers.onStream(msg.chunks);
    } else if (msg.type === "done") {
      const job = this.current;
      if (!job || job.id !== msg.id) return;
      this.current = null;
      clearTimeout(job.stopTimer);
      const stopped = Boolean(job.stopTimer) && /KeyboardInterrupt/.test(msg.error || "");
      this._finish(job, { error: msg.error, ms: msg.ms, stopped });
      this._next();
    }
  }

  _next() {
    if (this.current || !this.queue.length || !this.worker) return;
    const job = this.queue.shift();
    this.current = job;
    if (this.interrupt) Atomics.store(this.interrupt, 0, 0);
    job.handlers.onStart();
    this.worker.postMessage({ type: "run", id: job.id, code: job.code, filename: job.filename });
  }

  _finish(job, result) {
    if (job.done) return;
    job.done = true;
    job.handlers.onDone(result);
  }

  _crash(worker, message) {
    if (this.worker !== worker) return;
    const job = this.current;
    this.current = null;
    this.worker.terminate();
    this.worker = null;
    this.ready = null;
    if (job) this._finish(job, { error: `The Python runtime crashed: ${message}`, reset: true });
    for (const fn of this.listeners) fn({ type: "reset" });
    if (this.queue.length) this.start().then(() => this._next(), () => {});
  }

  _failAll(err) {
    const message = `The Python runtime could not start: ${err.message}`;
    const jobs = this.queue.splice(0);
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.ready = null;
    for (const job of jobs) this._finish(job, { error: message, fatal: true });
  }
}
