"""MkDocs hook: chapter (filled in by its owner)."""
