/* Instruments: bind each instrument's labelled controls to its precomputed states.
 *
 * The page holds, per instrument, a stage written at build time (textbook/adapters/instruments.py):
 * controls (disabled), a poster of the default state and the readouts.  When a stage comes
 * near the viewport this runtime loads, once, the shared Plotly bundle and its stylesheet,
 * fetches the instrument's figure.json, draws the chart over the poster and enables the
 * controls.  A control change looks the state up in the table and merges patches: no
 * arithmetic on values happens here.  Charts follow Material's palette (body attribute
 * data-md-color-scheme) and survive instant navigation (document$ re-scans the page).
 */
(function () {
  "use strict";

  var STAGE = ".tb-instrument__stage[data-src]";
  var NEAR = "600px 0px";
  var bound = new WeakSet();
  var live = new Set();
  var jsonCache = new Map();
  var plotlyPromise = null;
  var observer = null;
  var schemeObserver = null;
  var observedBody = null;

  function warn(message, error) {
    if (window.console) console.warn("instruments: " + message, error || "");
  }

  /* --- loading ------------------------------------------------------------------------ */

  function ensureStyleMarker() {
    // With this element present Plotly injects no <style> (blocked by a strict CSP, and
    // removed by instant navigation); its rules come from plotly.css instead.
    if (document.getElementById("plotly.js-style-global")) return;
    var marker = document.createElement("div");
    marker.id = "plotly.js-style-global";
    marker.className = "no-inline-styles";
    marker.hidden = true;
    document.body.appendChild(marker);
  }

  function ensureCss(url) {
    var href = new URL(url, document.baseURI).href;
    var links = document.querySelectorAll("link[data-tb-plotly-css]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href && links[i].tbReady) return links[i].tbReady;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-tb-plotly-css", "");
    link.tbReady = new Promise(function (resolve) {
      link.onload = resolve;
      link.onerror = function () {
        warn("could not load " + href);
        resolve();
      };
    });
    document.head.appendChild(link);
    return link.tbReady;
  }

  function loadPlotly(url) {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (plotlyPromise) return plotlyPromise;
    ensureStyleMarker();
    plotlyPromise = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = new URL(url, document.baseURI).href;
      script.async = true;
      script.onload = function () {
        window.Plotly ? resolve(window.Plotly) : reject(new Error("Plotly did not load"));
      };
      script.onerror = function () {
        plotlyPromise = null;
        reject(new Error("could not load " + script.src));
      };
      document.head.appendChild(script);
    });
    return plotlyPromise;
  }

  function fetchJson(url) {
    var href = new URL(url, document.baseURI).href;
    if (!jsonCache.has(href)) {
      var promise = fetch(href).then(function (response) {
        if (!response.ok) throw new Error(href + ": HTTP " + response.status);
        return response.json();
      });
      promise.catch(function () {
        jsonCache.delete(href);
      });
      jsonCache.set(href, promise);
    }
    return jsonCache.get(href);
  }

  /* --- patches ------------------------------------------------------------------------ */

  // Deep merge: objects merge key by key, arrays and scalars replace.  Always returns fresh
  // objects and arrays, because Plotly writes into the figure it is given.
  function merge(base, patch) {
    if (isObject(base) && isObject(patch)) {
      var out = {};
      Object.keys(base).forEach(function (key) {
        out[key] = copy(base[key]);
      });
      Object.keys(patch).forEach(function (key) {
        out[key] = key in base ? merge(base[key], patch[key]) : copy(patch[key]);
      });
      return out;
    }
    return copy(patch);
  }

  function copy(value) {
    if (Array.isArray(value)) return value.map(copy);
    if (isObject(value)) return merge({}, value);
    return value;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function resolveRefs(value, refs) {
    if (Array.isArray(value)) {
      for (var i = 0; i < value.length; i++) value[i] = resolveRefs(value[i], refs);
      return value;
    }
    if (isObject(value)) {
      var keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === "$ref") return refs[value.$ref];
      keys.forEach(function (key) {
        value[key] = resolveRefs(value[key], refs);
      });
    }
    return value;
  }

  // Plotly's default ticklabeloverflow ("hide past div") measures every tick label again
  // after each label is placed: O(labels^2) text measurements per draw, most of a redraw.
  // Our labels always fit inside the chart box (none is ever hidden), so "allow" draws the
  // same chart without the measurements.  An axis that names its own setting keeps it.
  var AXIS = /^[xy]axis[0-9]*$/;

  function allowTickLabels(layout) {
    Object.keys(layout).forEach(function (key) {
      if (AXIS.test(key) && isObject(layout[key]) && !("ticklabeloverflow" in layout[key])) {
        layout[key].ticklabeloverflow = "allow";
      }
    });
  }

  // Bars coloured through a colorscale (numeric marker.color) make Plotly warn, once per
  // bar and draw, "Invalid color specifier" while it reads an opacity it then ignores; each
  // warning is a console.trace, a stack capture.  Plotly's log level is global, so it is
  // lowered only while one of our charts draws synchronously and restored afterwards.
  function quietly(Plotly, draw) {
    var config = typeof Plotly.setPlotConfig === "function" ? Plotly.setPlotConfig({}) : null;
    if (!config || typeof config.logging !== "number") return draw();
    var logging = config.logging;
    config.logging = 0;
    try {
      return draw();
    } finally {
      config.logging = logging;
    }
  }

  function currentTheme() {
    var scheme = document.body && document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate" ? "dark" : "light";
  }

  /* --- one instrument ----------------------------------------------------------------- */

  function Instrument(stage) {
    this.stage = stage;
    this.chart = stage.querySelector(".tb-instrument__chart");
    this.fieldset = stage.querySelector(".tb-instrument__fieldset");
    this.spec = null;
    this.plot = null;
    this.key = null;
    this.started = false;
    this.near = false; // within NEAR of the viewport: only then is anything drawn ahead
    this.narrowQuery = null;
  }

  Instrument.prototype.start = function () {
    if (this.started) return;
    this.started = true;
    var self = this;
    var stage = this.stage;
    stage.classList.add("is-loading");
    Promise.all([
      fetchJson(stage.getAttribute("data-src")),
      loadPlotly(stage.getAttribute("data-plotly")),
      ensureCss(stage.getAttribute("data-plotly-css")),
    ])
      .then(function (loaded) {
        if (!stage.isConnected) return;
        self.spec = loaded[0];
        self.mount(loaded[1]);
      })
      .catch(function (error) {
        stage.classList.remove("is-loading");
        stage.classList.add("is-failed");
        warn("instrument stays a poster", error); // poster and default readouts remain
      });
  };

  Instrument.prototype.mount = function (Plotly) {
    var self = this;
    this.Plotly = Plotly;
    // The reader sees `plot`, which holds a finished drawing; Plotly draws into `canvas`,
    // a hidden box of the same size (hidden, but laid out: Plotly measures its text).
    this.plot = document.createElement("div");
    this.plot.className = "tb-instrument__plot js-plotly-plot";
    this.plot.setAttribute("role", "img");
    this.chart.appendChild(this.plot);
    this.canvas = document.createElement("div");
    this.canvas.className = "tb-instrument__canvas";
    this.canvas.setAttribute("aria-hidden", "true");
    this.chart.appendChild(this.canvas);
    this.drawings = new Map();
    this.narrowQuery = window.matchMedia(this.spec.narrow.media);
    this.onNarrow = function () {
      self.refresh();
    };
    this.narrowQuery.addEventListener("change", this.onNarrow);
    this.onInput = function (event) {
      if (event.target.closest("[data-control]")) self.update(event);
    };
    this.stage.addEventListener("input", this.onInput); // range, select and radio all fire it
    this.measure();
    this.update(null);
    // The chart box takes the poster's size; redraw when it changes (width, phone rotation).
    this.resizer = new ResizeObserver(function () {
      if (self.plot && self.plot.isConnected && self.measure()) self.refresh();
    });
    this.resizer.observe(this.chart);
    this.fieldset.disabled = false;
    this.stage.classList.remove("is-loading");
    this.stage.classList.add("is-live");
  };

  // Plotly is given the box's size, so a redraw never has to read the layout to find it.
  Instrument.prototype.measure = function () {
    var width = Math.round(this.chart.clientWidth);
    var height = Math.round(this.chart.clientHeight);
    var changed = !this.size || this.size.width !== width || this.size.height !== height;
    this.size = { width: width, height: height };
    return changed && width > 0 && height > 0;
  };

  Instrument.prototype.element = function (name) {
    return this.stage.querySelector('[data-control="' + name + '"]');
  };

  Instrument.prototype.readValue = function (control) {
    var element = this.element(control.name);
    if (!element) return null;
    if (element.type === "range") return control.values[Number(element.value)];
    if (element.tagName === "SELECT") return element.value;
    var checked = element.querySelector("input[type=radio]:checked");
    return checked ? checked.value : null;
  };

  Instrument.prototype.writeValue = function (control, value) {
    var element = this.element(control.name);
    if (element.type === "range") element.value = String(control.values.indexOf(value));
    else if (element.tagName === "SELECT") element.value = value;
    else {
      var radios = element.querySelectorAll("input[type=radio]");
      for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === value;
    }
  };

  Instrument.prototype.readKey = function () {
    var self = this;
    return this.spec.controls
      .map(function (control) {
        return self.readValue(control);
      })
      .join("|");
  };

  Instrument.prototype.update = function (event) {
    var self = this;
    var started = performance.now();
    var key = this.readKey();
    var target = this.spec.redirects[key];
    if (target) {
      // An impossible combination (e.g. a patch that does not divide the image): move the
      // controls to the state the table names.
      var values = target.split("|");
      this.spec.controls.forEach(function (control, index) {
        self.writeValue(control, values[index]);
      });
      key = target;
    }
    var state = this.spec.states[key];
    if (!state) {
      warn("no state " + key);
      return Promise.resolve();
    }
    this.key = key;
    var kept = this.drawings.has(this.drawingId(key));
    // Chart first: Plotly measures its text, and a page with fresh readouts and control
    // states would make each of those measurements lay the page out again.
    var shown = this.show(key);
    this.syncControls(state);
    this.writeReadouts(state);
    return shown.then(function () {
      var detail = {
        key: key,
        ms: performance.now() - started,
        cause: event ? event.type : "init",
        kept: kept,
      };
      self.stage.dispatchEvent(
        new CustomEvent("tb-instrument:update", { bubbles: true, detail: detail })
      );
      self.prepareNeighbours();
    });
  };

  Instrument.prototype.syncControls = function (state) {
    var self = this;
    var disabled = state.disabled || {};
    this.spec.controls.forEach(function (control) {
      var element = self.element(control.name);
      if (!element) return;
      var value = self.readValue(control);
      var label = control.labels[control.values.indexOf(value)];
      if (element.type === "range") {
        element.setAttribute("aria-valuetext", label);
        var output = self.stage.querySelector('[data-output="' + control.name + '"]');
        if (output) output.textContent = label;
        return;
      }
      var off = disabled[control.name] || [];
      var options = element.querySelectorAll("option, input[type=radio]");
      for (var i = 0; i < options.length; i++) {
        var unavailable = off.indexOf(options[i].value) >= 0;
        options[i].disabled = unavailable;
        var choice = options[i].closest(".tb-choice");
        if (choice) choice.classList.toggle("is-unavailable", unavailable);
      }
    });
  };

  Instrument.prototype.writeReadouts = function (state) {
    var readouts = state.readouts;
    var cells = this.stage.querySelectorAll("[data-readout]");
    for (var i = 0; i < cells.length; i++) {
      var text = readouts[cells[i].getAttribute("data-readout")];
      if (text !== undefined && cells[i].textContent !== text) cells[i].textContent = text;
    }
  };

  Instrument.prototype.figure = function (key) {
    var spec = this.spec;
    var state = spec.states[key];
    var theme = spec.themes[currentTheme()];
    var layout = merge(spec.figure.layout, state.layout);
    var data = spec.figure.data.map(function (trace, i) {
      return merge(trace, state.data[i] || {});
    });
    if (this.narrowQuery && this.narrowQuery.matches) layout = merge(layout, spec.narrow.layout);
    layout = merge(layout, theme.layout || {});
    layout.width = this.size.width;
    layout.height = this.size.height;
    data = data.map(function (trace, i) {
      return merge(trace, (theme.data && theme.data[i]) || {});
    });
    allowTickLabels(layout);
    return {
      data: resolveRefs(data, spec.refs),
      layout: resolveRefs(layout, spec.refs),
      alt: state.alt,
    };
  };

  /* --- drawings ----------------------------------------------------------------------- */

  // Any data change makes Plotly redraw the whole figure: 20-30 ms for the CLIP chart here,
  // more than a frame.  The states are few and fixed, so a drawing, once made, is kept
  // and shown again by moving its nodes; the states one control change away from the
  // current one are drawn ahead in idle time.  A drawing belongs to one palette, layout
  // and box size; the least recently shown go first past KEEP.
  var KEEP = 320;

  Instrument.prototype.drawingId = function (key) {
    var narrow = this.narrowQuery && this.narrowQuery.matches ? "narrow" : "wide";
    return [currentTheme(), narrow, this.size.width, this.size.height, key].join(" ");
  };

  Instrument.prototype.keep = function (id, drawing) {
    this.drawings.delete(id);
    this.drawings.set(id, drawing);
    if (this.drawings.size > KEEP) this.drawings.delete(this.drawings.keys().next().value);
    return drawing;
  };

  // The drawing of state `key` in the current palette and size, made now if not kept.
  Instrument.prototype.render = function (key) {
    var id = this.drawingId(key);
    var kept = this.drawings.get(id);
    if (kept) return Promise.resolve(this.keep(id, kept));
    var self = this;
    var canvas = this.canvas;
    var Plotly = this.Plotly;
    var config = this.spec.config;
    var figure = this.figure(key);
    canvas.tbDrawing = id;
    var drawn;
    try {
      drawn = quietly(Plotly, function () {
        return Plotly.react(canvas, figure.data, figure.layout, config);
      });
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(drawn).then(function () {
      // Another drawing started in the canvas meanwhile: this one is gone, make it again.
      if (canvas.tbDrawing !== id) return self.render(key);
      var drawing = {
        node: copyDrawing(canvas),
        alt: figure.alt,
        plotted: plotted(canvas),
      };
      return self.keep(id, drawing);
    });
  };

  // A copy of the canvas's drawing whose ids (Plotly's clip paths, named after the
  // figure's uid) differ from the canvas's own: both are in the page at once.
  function copyDrawing(gd) {
    var node = gd.querySelector(".plot-container").cloneNode(true);
    var uid = gd._fullLayout._uid;
    var renamed = node.querySelectorAll("[id], [clip-path]");
    for (var i = 0; i < renamed.length; i++) {
      var element = renamed[i];
      if (element.id) element.id = element.id.split(uid).join(uid + "-shown");
      var clip = element.getAttribute("clip-path");
      if (clip) element.setAttribute("clip-path", clip.split(uid).join(uid + "-shown"));
    }
    return node;
  }

  // What Plotly held for a drawing, kept with it and exposed on the chart (tests read it).
  function plotted(gd) {
    return {
      data: gd.data,
      layout: gd.layout,
      ink: gd._fullLayout.font.color,
      fontSize: gd._fullLayout.font.size,
      colors: gd._fullData.map(function (trace) {
        return (trace.line && trace.line.color) || (trace.marker && trace.marker.color);
      }),
    };
  }

  Instrument.prototype.show = function (key) {
    var self = this;
    if (!this.plot || !key) return Promise.resolve();
    return this.render(key)
      .then(function (drawing) {
        if (!self.plot || self.key !== key) return; // the reader has moved on already
        if (self.plot.firstChild !== drawing.node) self.plot.replaceChildren(drawing.node);
        self.plot.setAttribute("aria-label", drawing.alt);
        self.plot.tbPlotted = drawing.plotted;
      })
      .catch(function (error) {
        warn("drawing failed", error);
      });
  };

  // Palette, layout or size changed: show the current state as it now looks.
  Instrument.prototype.refresh = function () {
    var self = this;
    return this.show(this.key).then(function () {
      self.prepareNeighbours();
    });
  };

  // Keys one control change away from `key`, nearest values first (a slider's next step
  // before its far end); impossible combinations resolve to the state they redirect to.
  Instrument.prototype.neighbours = function (key) {
    var spec = this.spec;
    var values = key.split("|");
    var found = [];
    spec.controls.forEach(function (control, index) {
      var at = control.values.indexOf(values[index]);
      control.values.forEach(function (value, other) {
        if (other === at) return;
        var next = values.slice();
        next[index] = value;
        var target = next.join("|");
        target = spec.redirects[target] || target;
        if (spec.states[target]) found.push({ key: target, distance: Math.abs(other - at) });
      });
    });
    found.sort(function (a, b) {
      return a.distance - b.distance;
    });
    return found.map(function (item) {
      return item.key;
    });
  };

  function whenIdle(callback) {
    if (window.requestIdleCallback) window.requestIdleCallback(callback, { timeout: 2000 });
    else window.setTimeout(callback, 50);
  }

  // One drawing per idle period (a task of one drawing, so input waits at most that long),
  // until the neighbours of the current state are all kept; a newer state replaces the queue.
  // It pauses while the instrument is far from the viewport and resumes when it comes near.
  Instrument.prototype.prepareNeighbours = function () {
    var self = this;
    if (!this.plot || !this.key) return;
    this.ahead = this.neighbours(this.key);
    if (this.preparing) return;
    var preparing = function (on) {
      self.preparing = on;
      self.stage.toggleAttribute("data-drawing-ahead", on); // tests wait on it
    };
    preparing(true);
    var step = function () {
      var next;
      do {
        next = self.ahead.shift();
      } while (next && self.drawings.has(self.drawingId(next)));
      if (!next || !self.plot || !self.stage.isConnected || !self.near) {
        preparing(false);
        return;
      }
      self.render(next).then(
        function () {
          whenIdle(step);
        },
        function (error) {
          preparing(false);
          warn("drawing ahead failed", error);
        }
      );
    };
    whenIdle(step);
  };

  Instrument.prototype.destroy = function () {
    if (this.resizer) this.resizer.disconnect();
    if (this.narrowQuery) this.narrowQuery.removeEventListener("change", this.onNarrow);
    if (this.onInput) this.stage.removeEventListener("input", this.onInput);
    if (this.canvas && this.Plotly) this.Plotly.purge(this.canvas);
    if (this.drawings) this.drawings.clear();
    this.ahead = [];
    this.plot = null;
  };

  /* --- page --------------------------------------------------------------------------- */

  function watchScheme() {
    if (observedBody === document.body) return;
    if (schemeObserver) schemeObserver.disconnect();
    observedBody = document.body;
    schemeObserver = new MutationObserver(function () {
      live.forEach(function (instrument) {
        instrument.refresh();
      });
    });
    schemeObserver.observe(document.body, {
      attributes: true,
      attributeFilter: ["data-md-color-scheme"],
    });
  }

  function scan() {
    live.forEach(function (instrument) {
      if (!instrument.stage.isConnected) {
        if (observer) observer.unobserve(instrument.stage);
        instrument.destroy();
        live.delete(instrument);
      }
    });
    if (!observer) {
      observer = new IntersectionObserver(
        function (entries) {
          entries.forEach(function (entry) {
            live.forEach(function (instrument) {
              if (instrument.stage !== entry.target) return;
              instrument.near = entry.isIntersecting;
              instrument.stage.toggleAttribute("data-near", instrument.near); // tests wait on it
              if (!instrument.near) return;
              if (instrument.started) instrument.prepareNeighbours();
              else instrument.start();
            });
          });
        },
        { rootMargin: NEAR }
      );
    }
    var stages = document.querySelectorAll(STAGE);
    for (var i = 0; i < stages.length; i++) {
      if (bound.has(stages[i])) continue;
      bound.add(stages[i]);
      live.add(new Instrument(stages[i]));
      observer.observe(stages[i]);
    }
    watchScheme();
  }

  window.textbook.onPage(scan); // textbook.js: each page once, across instant navigation
})();
