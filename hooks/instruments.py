"""MkDocs hook: instruments (filled in by its owner)."""
