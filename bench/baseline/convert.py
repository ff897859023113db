"""Convert the chapter's Markdown into the plain Markdown a new Material author would write.

Pure functions, no I/O: the generator (``bench.baseline.generate``) supplies the figures, the
instrument HTML, the cell outputs and the computed numbers.

- ``{{ name }}`` becomes the number it stands for (typed by hand, as a new author would);
- ``/// equation``, ``/// instrument``, ``/// cell`` and ``/// quiz`` become ``md_in_html``
  ``<div markdown>`` blocks carrying the same ids, so every ``#anchor`` link still resolves;
- ``/// figure`` becomes Material's image-with-caption recipe (``<figure markdown="span">``);
- an instrument becomes its default-state Plotly figure (HTML from ``fig.to_html``);
- a cell becomes a highlighted code block followed by its output;
- a quiz becomes its question and a collapsible ``???`` admonition with the answer.

Math is left alone: ``pymdownx.arithmatex`` (generic) marks it and KaTeX auto-render typesets
it in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# The block syntax as the chapter's own directive scanner reads it.
from textbook.chapter.directives import CLOSE_RE, HEADER_RE, OPTION_RE
from textbook.core.front_matter import body_start

OPTION_SOURCE_RE = re.compile(r"^ {4}source:\s*(\S+)\s*$", re.MULTILINE)
FACT_RE = re.compile(r"\{\{\s*(?P<name>[a-z0-9_]+)\s*\}\}")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
KEEP_META = ("title", "description")


class ConvertError(ValueError):
    """The chapter uses something the converter cannot express."""


@dataclass(frozen=True)
class Figure:
    src: str  # URL relative to the page's Markdown file
    alt: str
    caption: str


@dataclass(frozen=True)
class Cell:
    code: str
    output: str


@dataclass(frozen=True)
class Assets:
    """Everything the blocks point at, keyed by figure/instrument name or cell source."""

    facts: Mapping[str, str] = field(default_factory=dict)
    figures: Mapping[str, Figure] = field(default_factory=dict)
    instruments: Mapping[str, str] = field(default_factory=dict)  # name -> Plotly HTML
    cells: Mapping[str, Cell] = field(default_factory=dict)  # "cells/x.py" -> Cell


@dataclass
class Block:
    kind: str
    argument: str | None
    options: dict[str, str]
    body: list[str]  # raw lines, nested blocks still unconverted
    line: int


# --- parsing ----------------------------------------------------------------------------------


def split_front_matter(markdown: str) -> tuple[str, str]:
    """(front matter block including its '---' lines, the rest)."""
    end = body_start(markdown)
    return markdown[:end], markdown[end:]


def plain_front_matter(front: str) -> str:
    """Keep only the keys plain MkDocs uses (title, description); one line each."""
    if not front:
        return ""
    kept = [
        line for line in front.splitlines() if any(line.startswith(f"{key}:") for key in KEEP_META)
    ]
    return "---\n" + "".join(f"{line}\n" for line in kept) + "---\n" if kept else ""


def substitute_facts(markdown: str, facts: Mapping[str, str]) -> str:
    """Replace ``{{ name }}`` outside fenced code by the fact's text; unknown names raise."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        match = FENCE_RE.match(line)
        if match:
            marker = match.group(1)
            fence = None if fence and marker.startswith(fence) else (fence or marker)
            out.append(line)
            continue
        if fence:
            out.append(line)
            continue

        def fact(m: re.Match[str]) -> str:
            name = m.group("name")
            if name not in facts:
                raise ConvertError(f"unknown computed value {{{{ {name} }}}}")
            return facts[name]

        out.append(FACT_RE.sub(fact, line))
    return "".join(out)


def parse_blocks(lines: list[str], first_line: int = 1) -> list[str | Block]:
    """Split lines into plain lines and top-level ``///`` blocks (nested ones stay in bodies)."""
    items: list[str | Block] = []
    index = 0
    fence: str | None = None
    while index < len(lines):
        text = lines[index]
        match = FENCE_RE.match(text)
        if fence or match:
            if match:
                marker = match.group(1)
                fence = None if fence and marker.startswith(fence) else (fence or marker)
            items.append(text)
            index += 1
            continue
        header = HEADER_RE.match(text)
        if not header:
            items.append(text)
            index += 1
            continue
        slashes = header.group("slashes")
        start = index
        index += 1
        options: dict[str, str] = {}
        while index < len(lines) and (opt := OPTION_RE.match(lines[index])):
            options[opt.group("key")] = opt.group("value")
            index += 1
        body: list[str] = []
        depth = 0
        while index < len(lines):
            line = lines[index]
            close = CLOSE_RE.match(line)
            nested = HEADER_RE.match(line)
            if nested and len(nested.group("slashes")) > len(slashes):
                depth += 1
            elif close and len(close.group("slashes")) > len(slashes) and depth:
                depth -= 1
            elif close and close.group("slashes") == slashes and not depth:
                break
            body.append(line)
            index += 1
        else:
            raise ConvertError(f"line {first_line + start}: block is never closed")
        index += 1  # the closing line
        items.append(Block(header.group("name"), header.group("arg"), options, body, start))
    return items


# --- rendering --------------------------------------------------------------------------------


def escape_alt(text: str) -> str:
    """Alt text safe inside ``![...]`` (brackets and backslashes escaped, one line)."""
    text = " ".join(text.split())
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _div(css: str, anchor: str, inner: list[str]) -> list[str]:
    return [f'<div class="{css}" id="{anchor}" markdown>', "", *inner, "", "</div>", ""]


def _strip_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def render_equation(block: Block, assets: Assets) -> list[str]:
    anchor, label = block.options["id"], block.options["label"]
    head = f"**[{label}](#{anchor})** {block.argument}"
    return _div("equation", anchor, [head, "", *_strip_blank(block.body)])


def render_figure(block: Block, assets: Assets) -> list[str]:
    name = block.options["name"]
    figure = assets.figures.get(name)
    if figure is None:
        raise ConvertError(f"line {block.line + 1}: no figure {name!r}")
    return [
        f'<figure id="{block.options["id"]}" markdown="span">',
        f"  ![{escape_alt(figure.alt)}]({figure.src}){{ loading=lazy }}",
        f"  <figcaption>{escape_html(figure.caption)}</figcaption>",
        "</figure>",
        "",
    ]


def render_instrument(block: Block, assets: Assets) -> list[str]:
    anchor, name = block.options["id"], block.options["name"]
    html = assets.instruments.get(name)
    if html is None:
        raise ConvertError(f"line {block.line + 1}: no instrument figure {name!r}")
    head = f"**[{block.options['label']}](#{anchor})** {block.argument}"
    if block.options.get("subtitle"):
        head += f" · *{block.options['subtitle']}*"
    # Pasted as a top-level raw HTML block (blank lines around it), as the Plotly output is.
    return [head, f"{{ #{anchor} }}", "", html.strip(), "", *_strip_blank(block.body), ""]


def render_cell(block: Block, assets: Assets) -> list[str]:
    source = block.options["source"]
    cell = assets.cells.get(source)
    if cell is None:
        raise ConvertError(f"line {block.line + 1}: no cell source {source!r}")
    intro = _strip_blank(block.body)
    inner = [*intro, ""] if intro else []
    inner += [f'``` python title="{block.argument}"', cell.code.rstrip("\n"), "```", ""]
    inner += ["Output:", "", "``` text", cell.output.rstrip("\n"), "```"]
    return _div("cell", block.options["id"], inner)


def render_quiz(block: Block, assets: Assets) -> list[str]:
    kind, answer = block.options["kind"], block.options["answer"]
    if kind == "number":
        if answer not in assets.facts:
            raise ConvertError(f"line {block.line + 1}: unknown computed value {answer!r}")
        shown = assets.facts[answer]
    else:
        shown = answer.strip().capitalize()
    question: list[str] = []
    explanation: list[str] = []
    for item in parse_blocks(block.body):
        if isinstance(item, Block) and item.kind == "explanation":
            explanation += _strip_blank(item.body)
        elif isinstance(item, Block):
            raise ConvertError(f"line {block.line + 1}: unexpected {item.kind!r} in a quiz")
        else:
            question.append(item)
    inner = ["**Check your understanding**", "", *_strip_blank(question), ""]
    inner.append(f'??? success "Answer: {shown}"')
    inner.append("")
    inner += [f"    {line}" if line.strip() else "" for line in explanation]
    return _div("quiz", block.argument or "", inner)


RENDERERS: dict[str, Callable[[Block, Assets], list[str]]] = {
    "equation": render_equation,
    "figure": render_figure,
    "instrument": render_instrument,
    "cell": render_cell,
    "quiz": render_quiz,
}


def convert(markdown: str, assets: Assets) -> str:
    """The chapter as plain Material Markdown (see the module docstring)."""
    front, body = split_front_matter(markdown)
    body = substitute_facts(body, assets.facts)
    out: list[str] = []
    first_line = front.count("\n") + 1
    for item in parse_blocks(body.splitlines(), first_line):
        if isinstance(item, str):
            out.append(item)
            continue
        render = RENDERERS.get(item.kind)
        if render is None:
            raise ConvertError(f"line {first_line + item.line}: unknown block {item.kind!r}")
        if out and out[-1].strip():
            out.append("")
        out += render(item, assets)
    return plain_front_matter(front) + "\n".join(out).rstrip("\n") + "\n"
