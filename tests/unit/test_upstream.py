"""What the build relies on in upstream packages' internals: each check fails loudly when an
upgrade changes the behaviour one of our adapters mirrors or works around (then update or remove
that adapter). Plotly's style rules are checked in test_instruments (plotly_css of the real
bundle raises on another layout)."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache

from textbook.adapters import instant

ROOT = Path(__file__).resolve().parents[2]


def source_of(module: str) -> str:
    return Path(importlib.util.find_spec(module).origin).read_text(encoding="utf-8")


def test_material_still_resolves_relative_urls_with_the_loop_instant_mirrors():
    """textbook/adapters/instant.py runs Material's resolve() loop on the <head> early."""
    bundles = list(Path(importlib.util.find_spec("material").origin).parent.glob(
        "templates/assets/javascripts/bundle.*.min.js"))  # fmt: skip
    assert len(bundles) == 1
    loop = re.compile(
        r'for\(let (\w+) of \w+\("\[href\], \[src\]",\w+\)\)for\(let (\w) of\["href","src"\]\)'
        r"\{let (\w)=\1\.getAttribute\(\2\);if\(\3&&!/\^\(\?:\[a-z\]\+:\)\?\\/\\//i\.test\(\3\)\)"
        r"\{\1\[\2\]=\1\[\2\];break\}\}"
    )
    assert loop.search(bundles[0].read_text(encoding="utf-8")), (
        "Material's instant-navigation resolve() loop changed: update or drop "
        "textbook/adapters/instant.py"
    )
    assert "/^(?:[a-z]+:)?\\/\\//i.test(v)" in instant.SCRIPT  # the same test of a URL


def test_mkdocs_jupyter_still_imports_its_heavy_modules_at_load():
    """textbook/cells/deferred.py defers these two imports of mkdocs_jupyter.plugin; if the
    plugin stops importing them at load, the deferral buys nothing: remove it."""
    tree = ast.parse(source_of("mkdocs_jupyter.plugin"))
    top = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    names = {alias.name for node in top if isinstance(node, ast.Import) for alias in node.names}
    froms = {(node.level, alias.name) for node in top if isinstance(node, ast.ImportFrom)
             for alias in node.names}  # fmt: skip
    assert "jupytext" in names and (1, "convert") in froms
    assert "from nbconvert" in source_of("mkdocs_jupyter.convert").split("\ndef ", 1)[0]


def test_jinja_bytecode_cache_interface_is_the_one_template_cache_implements():
    """textbook/site/template_cache.py subclasses BytecodeCache and uses Bucket's methods."""
    assert list(inspect.signature(BytecodeCache.get_bucket).parameters) == [
        "self", "environment", "name", "filename", "source"]  # fmt: skip
    for method in ("load_bytecode", "dump_bytecode", "get_source_checksum"):
        assert callable(getattr(BytecodeCache, method))
    for method in ("bytecode_from_string", "bytecode_to_string"):
        assert callable(getattr(Bucket, method))


def test_mkdocs_calls_on_env_before_it_renders_any_template():
    """The templates stage sets env.bytecode_cache in on_env: it must come before rendering."""
    build = source_of("mkdocs.commands.build")
    body = build[build.index("\ndef build(") :]
    assert body.index("config.plugins.on_env(") < body.index("_build_theme_template(")


def test_the_engine_logger_writes_what_mkdocs_plugin_logger_writes(caplog):
    """textbook/core/log.py mirrors mkdocs.plugins.get_plugin_logger without importing MkDocs."""
    from mkdocs.plugins import get_plugin_logger

    from textbook.core.log import get_logger

    ours, theirs = get_logger("textbook.katex"), get_plugin_logger("textbook.katex")
    assert ours.logger is theirs.logger
    with caplog.at_level("INFO", logger=theirs.logger.name):
        ours.info("typeset %d", 3)
        theirs.info("typeset %d", 3)
    assert [r.getMessage() for r in caplog.records] == ["textbook: typeset 3"] * 2


MATERIAL_TEMPLATES = Path(importlib.util.find_spec("material").origin).parent / "templates"
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def test_our_palette_form_is_materials_but_for_the_component_marker():
    """overrides/partials/palette.html keeps Material's markup and drops only the attribute that
    makes Material's bundle mount its palette component (our header script does that work)."""
    theirs = JINJA_COMMENT.sub("", (MATERIAL_TEMPLATES / "partials/palette.html").read_text())
    ours = JINJA_COMMENT.sub("", (ROOT / "overrides/partials/palette.html").read_text())
    assert 'data-md-component="palette"' in theirs and "data-tb-palette" not in theirs
    assert ours.strip() == theirs.replace('data-md-component="palette"', "data-tb-palette").strip()


def test_material_still_mounts_the_palette_as_our_header_script_mirrors():
    """overrides/partials/javascripts/palette.html replaces Material's palette component: the
    component is still mounted from `data-md-component=palette`, stores {index, color} under
    "__palette", marks <body> while switching and writes the theme-color and color-scheme metas
    from the header's computed style; the storage helpers keep their signature; Material's own
    header script (which ours replaces) only re-applied the stored palette."""
    bundle = next((MATERIAL_TEMPLATES / "assets/javascripts").glob("bundle.*.min.js"))
    code = bundle.read_text(encoding="utf-8")
    assert re.search(r'\.\.\.\w+\("palette"\)\.map\(\w+=>\w+\(\w+\)\)', code)
    for piece in ('name:"theme-color"', 'name:"color-scheme"', '__md_set("__palette",',
                  '"data-md-color-switching"', 'Ce("header"),a=window.getComputedStyle(s)',
                  "o.content=a.colorScheme,a.backgroundColor.match(/\\d+/g)",
                  'e.findIndex(o=>matchMedia(o.getAttribute("data-md-color-media")).matches)',
                  's.key==="Enter"', "t[s].click(),t[s].focus()"):  # fmt: skip
        assert piece in code, f"Material's palette component changed ({piece}): review ours"
    helpers = (MATERIAL_TEMPLATES / "partials/javascripts/base.html").read_text()
    assert "__md_get=(e,_=localStorage,t=__md_scope)" in helpers
    assert "__md_set=(e,_,t=localStorage,a=__md_scope)" in helpers
    header = (MATERIAL_TEMPLATES / "partials/header.html").read_text()
    order = ["partials/palette.html", "partials/javascripts/palette.html", "partials/search.html"]
    assert [header.index(f'include "{name}"') for name in order] == sorted(
        header.index(f'include "{name}"') for name in order
    )
    script = MATERIAL_TEMPLATES / "partials/javascripts/palette.html"
    theirs = JINJA_COMMENT.sub("", script.read_text())
    assert theirs.count("<script>") == 1 and '__md_get("__palette")' in theirs
    assert "addEventListener" not in theirs and "__md_set" not in theirs
