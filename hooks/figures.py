"""MkDocs hook: figures (filled in by its owner)."""
