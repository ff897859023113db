"""A disk cache of the theme's compiled Jinja templates, every entry checked before use.

MkDocs compiles the ~40 Material templates a page needs from source on every build (about a
fifth of a warm build). Jinja can load them compiled instead, through a bytecode cache; this
one keeps an entry under `.cache/templates/` and serves it only when

- its key matches: the template's name and file, the Python and Jinja versions and every
  setting of the environment that changes the compiled code (delimiters, whitespace options,
  autoescape, finalize, async, extensions, the gettext style, the filter and test names);
- it verifies as an entry of the build's cache (`textbook.core.cache`: key and sha256 of its
  bytes; a damaged entry is removed);
- Jinja's own checks pass: its format marker and the checksum of the template's source.

Anything else is compiled from source as without the cache, and the entry rewritten; entries
a build did not load are removed after it. Compiled code from the same source and settings
renders the same output: the site does not change.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from textbook.core.cache import Cache


def _settings(environment: jinja2.Environment, name: str) -> str:
    """What of `environment` the compiled code of template `name` depends on."""
    autoescape = environment.autoescape
    finalize = environment.finalize
    extensions = environment.extensions.values()
    return repr(
        (
            sys.version,
            sys.implementation.cache_tag,
            jinja2.__version__,
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.optimized,
            environment.is_async,
            autoescape(name) if callable(autoescape) else autoescape,
            None if finalize is None else getattr(finalize, "__qualname__", repr(finalize)),
            sorted(f"{type(e).__module__}.{type(e).__qualname__}" for e in extensions),
            getattr(environment, "newstyle_gettext", None),
            environment.code_generator_class.__qualname__,
            sorted(environment.filters),
            sorted(environment.tests),
        )
    )


class VerifiedBytecodeCache(BytecodeCache):
    """Compiled templates in `directory`, one verified entry (`textbook.core.cache`) per
    template holding Jinja's bucket (format marker, source checksum, marshalled code)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.cache = Cache(self.directory, ".jinja", what="compiled template cache entry")

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        key = hashlib.sha256(
            f"{name}\0{filename}\0{_settings(environment, name)}".encode()
        ).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        payload = self.cache.get_bytes(bucket.key)
        if payload is not None:  # damaged ones are removed: compiled from source, written again
            bucket.bytecode_from_string(payload)  # resets the bucket if the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.cache.put_bytes(bucket.key, bucket.bytecode_to_string())

    def evict_unused(self) -> int:
        """Remove the entries this build did not load (a template no longer used, or compiled
        under other settings: an upgrade leaves its old entries behind); returns how many."""
        return len(self.cache.prune())
