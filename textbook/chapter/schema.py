"""The front matter of a chapter page, checked against one JSON Schema.

Every problem is reported at the line of the key that is wrong (for a missing key: the line of
the mapping that lacks it, the opening `---` for the top level), with what to write instead.
Checks a schema cannot express (the chapter number within `chapter_count`) follow it.
"""

from __future__ import annotations

import jsonschema
import yaml

from textbook.core.errors import SourceError
from textbook.core.front_matter import find_front_matter

_TEXT = {"type": "string", "minLength": 1}
_TEXTS = {"type": "array", "items": {"type": ["string", "number"]}}
_NUMBER = {"type": "integer", "minimum": 1}
CHAPTER_SCHEMA = {
    "type": "object",
    "required": [
        "title", "chapter", "chapter_count", "volume", "breadcrumb", "level", "builds_on",
        "instruments",
    ],
    "additionalProperties": False,
    "properties": {
        "title": _TEXT,
        "description": _TEXT,
        "chapter": _NUMBER,
        "chapter_count": _NUMBER,
        "volume": _TEXT,
        "breadcrumb": _TEXTS,
        "level": _TEXT,
        "builds_on": _TEXTS,
        "instruments": _TEXTS,
        "next": {
            "type": "object",
            "required": ["number", "title", "summary"],
            "additionalProperties": False,
            "properties": {"number": _NUMBER, "title": _TEXT, "summary": _TEXT},
        },
    },
}  # fmt: skip
# Pages that are not chapters (no `chapter` key): what the theme reads must be text.
PAGE_SCHEMA = {"type": "object", "properties": {"title": _TEXT, "description": _TEXT}}

_KINDS = {"string": "text", "integer": "whole number", "object": "mapping of 'key: value'",
          "array": "list [a, b, ...]"}  # fmt: skip


def _name(path) -> str:
    return ".".join(str(p) for p in path)


def key_line(source: str, path) -> int:
    """File line of the key at `path` (e.g. ('next', 'number')) in the front matter of `source`:
    of the deepest key of `path` that exists; 1 (the opening `---`) if none does."""
    block = find_front_matter(source)
    if block is None:
        return 1
    try:
        node = yaml.compose(block.yaml)
    except yaml.YAMLError:
        return 1
    line = 1
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if key_node.value == str(key):
                line, node = key_node.start_mark.line + 2, value_node  # +1 '---', +1 1-based
                break
        else:
            break
    return line


def _describe(error: jsonschema.ValidationError) -> tuple[tuple, str]:
    """(path of the key to point at, message) for one schema error."""
    path = tuple(error.absolute_path)
    name = _name(path)
    if error.validator == "required":
        missing = next(k for k in error.validator_value if k not in error.instance)
        where = f"'{name}'" if path else "the front matter of a chapter"
        return path, f"{where} lacks '{missing}': add `{missing}: ...`"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))[0]
        key = _name((*path, extra))
        return (*path, extra), f"unknown front matter key '{key}'"
    if error.validator == "type":
        kinds = (
            error.validator_value
            if isinstance(error.validator_value, list)
            else [error.validator_value]
        )
        kind = " or ".join(_KINDS.get(k, k) for k in kinds)
        return path, f"front matter '{name}' must be a {kind}, not {error.instance!r}"
    if error.validator == "minimum":
        return (
            path,
            f"front matter '{name}' must be at least {error.validator_value}, "
            f"not {error.instance!r}",
        )
    if error.validator == "minLength":
        return path, f"front matter '{name}' must not be empty"
    return path, f"front matter '{name}': {error.message}"


def validate(data: dict, path: str, source: str, *, chapter: bool = True) -> None:
    """Raise SourceError at the line of the first (by line) key the schema rejects."""
    validator = jsonschema.Draft202012Validator(CHAPTER_SCHEMA if chapter else PAGE_SCHEMA)
    found = [_describe(e) for e in validator.iter_errors(data)]
    if found:
        located = sorted((key_line(source, at), message) for at, message in found)
        raise SourceError(path, *located[0])
    if chapter and data["chapter"] > data["chapter_count"]:
        raise SourceError(
            path,
            key_line(source, ("chapter",)),
            f"front matter 'chapter' is {data['chapter']}, but the volume has "
            f"{data['chapter_count']} chapters (chapter_count): use 1 to {data['chapter_count']}",
        )
    nxt = data.get("next") if chapter else None
    if nxt is not None and not data["chapter"] < nxt["number"] <= data["chapter_count"]:
        raise SourceError(
            path,
            key_line(source, ("next", "number")),
            f"front matter 'next.number' is {nxt['number']}: the next chapter's number lies "
            f"after 'chapter' ({data['chapter']}) and within 'chapter_count' "
            f"({data['chapter_count']})",
        )
