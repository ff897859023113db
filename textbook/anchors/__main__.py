"""`python -m textbook.anchors --publish`: record the site's anchors in anchors/published.json."""

from textbook.anchors.guard import main

raise SystemExit(main())
