"""The KaTeX assets the site self-hosts (`katex.min.css`, the woff2 fonts), and which fonts a
page's math is drawn with, so that only those are preloaded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from textbook.core.cache import Cache, digest, opened

#: Where the KaTeX stylesheet and fonts go in the built site.
ASSET_DIR = "assets/katex"
STYLESHEET = f"{ASSET_DIR}/katex.min.css"

RE_FONT_FACE = re.compile(r"@font-face\{(?P<body>[^}]*)\}")
RE_FALLBACK_SRC = re.compile(r',url\([^)]*\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')
RE_RULE = re.compile(r"(?P<selectors>[^{}@]+)\{(?P<body>[^}]*)\}")
RE_KATEX_SELECTOR = re.compile(
    r"^\.katex (?P<compound>(?:\.[\w-]+)+)(?: \.(?P<inner>[\w-]+)>span)?$"
)
FONT_PROPERTIES = ("font-family", "font-weight", "font-style")
BASE_FONT = ("KaTeX_Main", "400", "normal")  # `.katex{font:normal 1.21em KaTeX_Main,...}`
VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})


def stylesheet(katex_css: str) -> str:
    """KaTeX's stylesheet with only the woff2 sources (the site ships no woff/ttf files)."""
    css = RE_FALLBACK_SRC.sub("", katex_css)
    if re.search(r"\.(?:woff|ttf)\)", css):
        raise ValueError("katex.min.css has font sources other than woff2 in an unknown format")
    return css


def font_assets(katex_dir: Path) -> list[tuple[str, Path]]:
    """(site path, file) of each woff2 font of KaTeX, sorted."""
    return [
        (f"{ASSET_DIR}/fonts/{font.name}", font)
        for font in sorted((katex_dir / "dist" / "fonts").glob("*.woff2"))
    ]


def _declarations(body: str) -> dict[str, str]:
    out = {}
    for declaration in body.split(";"):
        name, _, value = declaration.partition(":")
        out[name.strip()] = value.strip().strip('"')
    return out


def _weight(value: str) -> str:
    return {"normal": "400", "bold": "700"}.get(value, value)


@dataclass(frozen=True)
class FontRules:
    """What KaTeX's stylesheet says about fonts: woff2 file per (family, weight, style) and the
    font properties each class (or class combination) sets."""

    faces: dict[tuple[str, str, str], str]
    rules: tuple[tuple[frozenset[str], tuple[tuple[str, str], ...]], ...]


@lru_cache(maxsize=4)
def font_rules(katex_css: str) -> FontRules:
    faces = {}
    for match in RE_FONT_FACE.finditer(katex_css):
        decl = _declarations(match["body"])
        woff2 = re.search(r"url\(fonts/([^)]+\.woff2)\)", decl.get("src", ""))
        if woff2:
            key = (decl["font-family"], _weight(decl["font-weight"]), decl["font-style"])
            faces[key] = woff2[1]
    rules = []
    for match in RE_RULE.finditer(RE_FONT_FACE.sub("", katex_css)):
        decl = _declarations(match["body"])
        props = tuple(
            (name, _weight(decl[name]) if name == "font-weight" else decl[name])
            for name in FONT_PROPERTIES
            if name in decl
        )
        if not props:
            continue
        for selector in match["selectors"].split(","):
            parsed = RE_KATEX_SELECTOR.match(selector.strip())
            if parsed:
                classes = parsed["inner"] or parsed["compound"]
                rules.append((frozenset(classes.strip(".").split(".")), props))
    # More classes = more specific; the stable sort keeps source order among equals.
    rules.sort(key=lambda rule: len(rule[0]))
    return FontRules(faces, tuple(rules))


class _FontCollector(HTMLParser):
    """Walks KaTeX HTML and records the (family, weight, style) of each visible glyph run."""

    def __init__(self, rules: FontRules):
        super().__init__(convert_charrefs=True)
        self.rules = rules
        self.stack: list[tuple[tuple[str, str, str], bool, str]] = []
        self.used: set[tuple[str, str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        font, hidden, _ = self.stack[-1] if self.stack else (BASE_FONT, False, "")
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "math":  # the screen readers' copy, drawn in KaTeX_Main (assets/css/math.css)
            self.used.add(BASE_FONT)
        hidden = hidden or "katex-mathml" in classes or tag in ("svg", "math")
        props = dict(zip(FONT_PROPERTIES, font, strict=True))
        for selector, declared in self.rules.rules:
            if selector <= classes:
                props.update(declared)
        font = (props["font-family"], props["font-weight"], props["font-style"])
        if tag not in VOID_TAGS:
            self.stack.append((font, hidden, tag))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # `<path .../>` and the like hold no text

    def handle_endtag(self, tag: str) -> None:
        if any(entry[2] == tag for entry in self.stack):
            while self.stack.pop()[2] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and not self.stack[-1][1] and data.strip():
            self.used.add(self.stack[-1][0])


def _face_file(rules: FontRules, font: tuple[str, str, str]) -> str | None:
    """The woff2 file a browser picks for `font`: exact face, else the family's closest."""
    if font in rules.faces:
        return rules.faces[font]
    family, weight, style = font
    candidates = [key for key in rules.faces if key[0] == family]
    if not candidates:
        return None
    best = min(candidates, key=lambda key: (key[2] != style, abs(int(key[1]) - int(weight))))
    return rules.faces[best]


@lru_cache(maxsize=4096)
def _fonts_of(katex_html: str, katex_css: str) -> frozenset[str]:
    rules = font_rules(katex_css)
    collector = _FontCollector(rules)
    collector.feed(katex_html)
    collector.close()
    files = {_face_file(rules, font) for font in collector.used}
    return frozenset(f for f in files if f)


def fonts_used(
    rendered: list[str], katex_css: str, cache_dir: Path | Cache | None = None
) -> list[str]:
    """Sorted woff2 file names the formulas' visible HTML is drawn with.

    A pure function of its inputs; with ``cache_dir`` the answer is kept there under their
    digest (walking every formula's HTML costs ~25 ms a build). An entry naming a font the
    stylesheet does not declare is not served.
    """
    cache = key = None
    if cache_dir is not None:
        cache, key = opened(cache_dir, what="fonts cache entry"), digest(katex_css, *rendered)
        declared = set(font_rules(katex_css).faces.values())
        cached = cache.get(key, lambda f: f == sorted(set(f)) and declared >= {*f})
        if cached is not None:
            return cached
    used: set[str] = set()
    for katex_html in rendered:
        used |= _fonts_of(katex_html, katex_css)
    fonts = sorted(used)
    if cache is not None:
        cache.put(key, fonts)
    return fonts
