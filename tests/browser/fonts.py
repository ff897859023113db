"""Which fonts Chromium drew the chapter's text in, read over DevTools
(`CSS.getPlatformFontsForNode`): the family of each run of glyphs, as this machine resolved it."""

from __future__ import annotations

# content-visibility skips the layout, and so the fonts, of blocks far from the viewport.
LAY_OUT_EVERY_BLOCK = """() => document.querySelectorAll('.md-content__inner > *')
    .forEach(e => e.style.contentVisibility = 'visible')"""


class DrawnFonts:
    """Lays out every block of the page, then answers per selector: family name (with
    " (system)" unless it is a web font) -> glyphs drawn in it by the matching elements."""

    def __init__(self, page):
        page.evaluate(LAY_OUT_EVERY_BLOCK)
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("DOM.enable")
        self.cdp.send("CSS.enable")
        self.root = self.cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]

    def nodes(self, selector: str) -> list[int]:
        found = self.cdp.send("DOM.querySelectorAll", {"nodeId": self.root, "selector": selector})
        return found["nodeIds"]

    def __call__(self, selector: str) -> dict[str, int]:
        used: dict[str, int] = {}
        for node in self.nodes(selector):
            for font in self.cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
                name = font["familyName"] + ("" if font["isCustomFont"] else " (system)")
                used[name] = used.get(name, 0) + font["glyphCount"]
        return used
