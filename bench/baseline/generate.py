"""Generate the baseline: the same chapter as a plain Material site, built the documented way.

- Math: ``pymdownx.arithmatex`` (generic) + KaTeX auto-render in the browser, configured as
  Material's "Math" page shows (``document$.subscribe(... renderMathInElement ...)``), but
  with KaTeX self-hosted from ``node_modules/katex/dist`` instead of the unpkg CDN (no other
  host is reachable here).
- Instruments: their default-state figures as Plotly figures, embedded with
  ``fig.to_html(full_html=False, include_plotlyjs=True)`` (plotly.js inlined per figure) or,
  for the ``directory`` variant, ``include_plotlyjs="directory"`` with one ``plotly.min.js``
  next to the page.
- Static figures: the project's rendered SVGs (light), with Material's image-caption recipe.
- ``theme.font: false``: Material's default would fetch Google Fonts.
- No project hooks, no project extension: blocks are converted by ``bench.baseline.convert``.

The figures, cell outputs and computed numbers come from a built copy of the project (its
``.cache/figures`` manifest and artifacts, its cells run with its Python,
``textbook.chapter.facts``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.baseline import convert
from bench.project import build_env

CHAPTER = "01-computer-vision.md"
PAGE_DIR = "01-computer-vision"  # where the page's index.html lands (use_directory_urls)
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")

# Material's documented KaTeX integration (docs/reference/math.md, "KaTeX").
KATEX_JS = """document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$",  right: "$$",  display: true },
      { left: "$",   right: "$",   display: false },
      { left: "\\\\(", right: "\\\\)", display: false },
      { left: "\\\\[", right: "\\\\]", display: true }
    ],
  })
})
"""

MKDOCS_YML = """site_name: Baseline · Computer Vision with Deep Nets
site_url: https://textbook.example.org/multimodal/
theme:
  name: material
  font: false  # Material's default loads Google Fonts; nothing may leave 127.0.0.1 here

nav:
  - Volume: index.md
  - "01 · Computer Vision with Deep Nets": 01-computer-vision.md

markdown_extensions:
  - attr_list
  - md_in_html
  - tables
  - footnotes
  - admonition
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true

extra_javascript:
  - javascripts/katex.js
  - assets/katex/katex.min.js
  - assets/katex/contrib/auto-render.min.js

extra_css:
  - assets/katex/katex.min.css
"""


# --- the instruments' default-state figures ----------------------------------------------------


def merge(base: Any, patch: Any) -> Any:
    """Deep merge as the project's instruments.js does: objects merge, the rest replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return patch


def resolve_refs(value: Any, refs: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return refs[value["$ref"]]
        return {key: resolve_refs(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_refs(item, refs) for item in value]
    return value


def default_figure(spec: dict[str, Any], theme: str = "light") -> dict[str, Any]:
    """The figure an instrument shows before any interaction (wide screen, ``theme``)."""
    state = spec["states"][spec["default"]]
    layout = merge(spec["figure"]["layout"], state.get("layout", {}))
    data = [
        merge(trace, patch)
        for trace, patch in zip(spec["figure"]["data"], state.get("data", []), strict=False)
    ]
    data += spec["figure"]["data"][len(data) :]
    palette = spec.get("themes", {}).get(theme, {})
    layout = merge(layout, palette.get("layout", {}))
    patches = palette.get("data", [])
    data = [merge(trace, patches[i]) if i < len(patches) else trace for i, trace in enumerate(data)]
    refs = spec.get("refs", {})
    return {"data": resolve_refs(data, refs), "layout": resolve_refs(layout, refs)}


def plotly_html(figure: dict[str, Any], div_id: str, include_plotlyjs: bool | str) -> str:
    import plotly.graph_objects as go

    fig = go.Figure(data=figure["data"], layout=figure["layout"])
    return fig.to_html(full_html=False, include_plotlyjs=include_plotlyjs, div_id=div_id)


# --- inputs from the built project -------------------------------------------------------------


def facts_of(project: Path) -> dict[str, str]:
    code = (
        "import json, textbook.chapter.facts as f; "
        "print(json.dumps({n: f.text(n) for n in f.names()}, sort_keys=True))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=build_env(project),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def cell_of(project: Path, source: str) -> convert.Cell:
    path = project / source
    done = subprocess.run(
        [sys.executable, str(path)],
        cwd=project,
        env=build_env(project),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{source} failed:\n{done.stderr[-2000:]}")
    return convert.Cell(path.read_text(encoding="utf-8"), done.stdout + done.stderr)


def cell_sources(markdown: str) -> list[str]:
    return sorted(set(convert.OPTION_SOURCE_RE.findall(markdown)))


# --- the generated project ---------------------------------------------------------------------


def generate(project: Path, dest: Path, variant: str = "inline") -> Path:
    """Write the baseline MkDocs project for ``variant`` ('inline' or 'directory') at ``dest``."""
    if variant not in ("inline", "directory"):
        raise ValueError(f"unknown variant {variant!r}")
    include: bool | str = True if variant == "inline" else "directory"
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    (docs / "javascripts").mkdir(parents=True)
    (dest / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (docs / "javascripts" / "katex.js").write_text(KATEX_JS, encoding="utf-8")
    katex = project / "node_modules" / "katex" / "dist"
    for name in KATEX_FILES:
        target = docs / "assets" / "katex" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(katex / name, target)
    shutil.copytree(katex / "fonts", docs / "assets" / "katex" / "fonts")
    shutil.copyfile(project / "docs" / "index.md", docs / "index.md")

    cache = project / ".cache" / "figures"
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))["figures"]
    figures: dict[str, convert.Figure] = {}
    instruments: dict[str, str] = {}
    for name, entry in sorted(manifest.items()):
        if "figure.json" in entry["artifacts"]:
            spec = json.loads((cache / name / "figure.json").read_text(encoding="utf-8"))
            instruments[name] = plotly_html(default_figure(spec), f"plot-{name}", include)
        elif "light.svg" in entry["artifacts"]:
            target = docs / "assets" / "figures" / f"{name}.svg"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache / name / "light.svg", target)
            figures[name] = convert.Figure(
                f"assets/figures/{name}.svg", entry["alt"], entry["caption"]
            )
    if variant == "directory":
        import plotly

        bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        (docs / PAGE_DIR).mkdir()
        shutil.copyfile(bundle, docs / PAGE_DIR / "plotly.min.js")

    source = (project / "docs" / CHAPTER).read_text(encoding="utf-8")
    cells = {s: cell_of(project, s) for s in cell_sources(source)}
    assets = convert.Assets(facts_of(project), figures, instruments, cells)
    (docs / CHAPTER).write_text(convert.convert(source, assets), encoding="utf-8")
    return dest
