"""MkDocs hook: anchors (filled in by its owner)."""
