"""Find and validate the chapter's block directives (`/// equation`, `/// figure`, ...).

pymdownx.blocks silently renders a block with an unknown option as plain text, so every
directive is checked here first, against its schema, with the file and line of the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textbook.core.errors import SourceError

# A directive header: three or more slashes, a name, an optional "| argument".
HEADER_RE = re.compile(r"^(?P<slashes>/{3,})\s*(?P<name>[a-z][a-z-]*)\s*(?:\|\s*(?P<arg>.*?))?\s*$")
CLOSE_RE = re.compile(r"^(?P<slashes>/{3,})\s*$")
OPTION_RE = re.compile(r"^ {4}(?P<key>[a-z_]+):\s*(?P<value>.*?)\s*$")
FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Spec:
    """What one kind of directive accepts."""

    argument: str  # "required", "optional" or "none"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    id_prefix: str | None = None
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


SPECS: dict[str, Spec] = {
    "equation": Spec("required", ("id", "label"), id_prefix="eq-"),
    "instrument": Spec("required", ("id", "label", "name"), ("subtitle",), id_prefix="instrument-"),
    "figure": Spec("none", ("id", "name"), id_prefix="fig-"),
    "cell": Spec("required", ("id", "source"), id_prefix="cell-"),
    "quiz": Spec(
        "required",
        ("kind", "answer"),
        ("tolerance",),
        choices={"kind": ("number", "truefalse")},
    ),
    "explanation": Spec("none"),
}


@dataclass(frozen=True)
class Directive:
    kind: str
    argument: str | None
    options: dict[str, str]
    line: int  # 1-based line of the header in the scanned text
    option_lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> line

    @property
    def anchor(self) -> str | None:
        """The explicit id this directive gives its element (quizzes take it as argument)."""
        if self.kind == "quiz":
            return self.argument
        return self.options.get("id")


def _closing(stack: list[tuple[int, Directive | None]], slashes: int) -> bool:
    return bool(stack) and stack[-1][0] == slashes


def scan(markdown: str, path: str, first_line: int = 1) -> list[Directive]:
    """Return the known directives of `markdown`, validated; raise SourceError on a bad one.

    `first_line` is the file line of the first line of `markdown` (after front matter).
    """
    found: list[Directive] = []
    stack: list[tuple[int, Directive | None]] = []
    lines = markdown.splitlines()
    fence: str | None = None
    index = 0
    while index < len(lines):
        text = lines[index]
        line_no = first_line + index
        index += 1
        fence_match = FENCE_RE.match(text.lstrip())
        if fence:
            if fence_match and fence_match.group("fence").startswith(fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group("fence")
            continue
        close = CLOSE_RE.match(text)
        if close:
            if _closing(stack, len(close.group("slashes"))):
                stack.pop()
            continue
        match = HEADER_RE.match(text)
        if not match:
            continue
        slashes = len(match.group("slashes"))
        name = match.group("name")
        spec = SPECS.get(name)
        options: dict[str, str] = {}
        option_lines: dict[str, int] = {}
        while index < len(lines) and (opt := OPTION_RE.match(lines[index])):
            key = opt.group("key")
            if key in options:
                raise SourceError(path, first_line + index, f"option '{key}' given twice")
            options[key] = opt.group("value")
            option_lines[key] = first_line + index
            index += 1
        if spec is None:
            # Other extensions' blocks (details, ...) are theirs to check.
            stack.append((slashes, None))
            continue
        directive = Directive(name, match.group("arg") or None, options, line_no, option_lines)
        _validate(directive, spec, path)
        found.append(directive)
        stack.append((slashes, directive))
    if stack:
        slashes, directive = stack[-1]
        kind = directive.kind if directive else "block"
        line = directive.line if directive else first_line
        raise SourceError(
            path, line, f"'{kind}' block is never closed: add a line '{'/' * slashes}'"
        )
    return found


def _validate(directive: Directive, spec: Spec, path: str) -> None:
    where = (path, directive.line)
    kind = directive.kind
    if spec.argument == "required" and not directive.argument:
        raise SourceError(*where, f"'{kind}' block needs an argument: '/// {kind} | ...'")
    if spec.argument == "none" and directive.argument:
        raise SourceError(*where, f"'{kind}' block takes no argument after '|'")
    known = set(spec.required) | set(spec.optional)
    for key in directive.options:
        if key not in known:
            allowed = ", ".join(sorted(known)) or "none"
            raise SourceError(*where, f"unknown option '{key}' for '{kind}' (allowed: {allowed})")
    for key in spec.required:
        if not directive.options.get(key):
            raise SourceError(*where, f"'{kind}' block needs the option '{key}:'")
    for key, allowed in spec.choices.items():
        value = directive.options.get(key)
        if value is not None and value not in allowed:
            raise SourceError(*where, f"'{key}: {value}' must be one of: {', '.join(allowed)}")
    anchor = directive.anchor
    if anchor is not None:
        if not ID_RE.match(anchor):
            raise SourceError(*where, f"id '{anchor}' must be lowercase letters, digits and '-'")
        if spec.id_prefix and not anchor.startswith(spec.id_prefix):
            raise SourceError(
                *where, f"id '{anchor}' of a {kind} must start with '{spec.id_prefix}'"
            )
    if kind == "quiz" and not (anchor or "").startswith("quiz-"):
        raise SourceError(*where, f"quiz id '{anchor}' must start with 'quiz-'")
