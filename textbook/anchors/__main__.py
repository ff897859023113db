"""`python -m textbook.anchors --publish`: record the site's anchors in anchors/published.json."""

from textbook.anchors.registry import main

raise SystemExit(main())
