"""MkDocs hook: math (filled in by its owner)."""
