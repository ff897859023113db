"""MkDocs hook: cells (filled in by its owner)."""
