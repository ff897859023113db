"""textbook.site.template_cache: compiled templates are reused only when every check passes."""

import jinja2
import pytest

from tests.damage import DAMAGES
from textbook.site.template_cache import VerifiedBytecodeCache

PAGE = "{% for x in items %}<li>{{ x|upper }}</li>{% endfor %}{% include 'part.html' %}"


def environment(templates, cache_dir, **options):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), **options)
    env.bytecode_cache = VerifiedBytecodeCache(cache_dir)
    compiled = []
    original = env.compile

    def compile_(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return original(source, name, filename, *args, **kwargs)

    env.compile = compile_
    return env, compiled


def render(env):
    return env.get_template("page.html").render(items=["a", "b"])


def site(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(PAGE)
    (templates / "part.html").write_text("<p>{{ items|length }}</p>")
    return templates, tmp_path / "cache"


def test_a_second_build_renders_the_same_without_compiling(tmp_path):
    templates, cache = site(tmp_path)
    env, compiled = environment(templates, cache)
    first = render(env)
    assert sorted(compiled) == ["page.html", "part.html"]
    assert len(list(cache.glob("*.jinja"))) == 2
    env, compiled = environment(templates, cache)
    assert render(env) == first == "<li>A</li><li>B</li><p>2</p>"
    assert compiled == []


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_entry_is_removed_and_compiled_again(tmp_path, damage):
    templates, cache = site(tmp_path)
    first = render(environment(templates, cache)[0])
    for path in cache.glob("*.jinja"):
        damage(path)
    env, compiled = environment(templates, cache)
    assert render(env) == first
    assert sorted(compiled) == ["page.html", "part.html"]
    env, compiled = environment(templates, cache)  # rewritten, trusted again
    assert render(env) == first and compiled == []


def test_an_edited_template_is_compiled_again(tmp_path):
    templates, cache = site(tmp_path)
    render(environment(templates, cache)[0])
    (templates / "part.html").write_text("<p>{{ items|first }}</p>")
    env, compiled = environment(templates, cache)
    assert render(env) == "<li>A</li><li>B</li><p>a</p>"
    assert compiled == ["part.html"]


def test_other_settings_use_other_entries(tmp_path):
    templates, cache = site(tmp_path)
    (templates / "page.html").write_text("{% if true %}\n  <b>{{ 1 }}</b>\n{% endif %}\n")
    plain = environment(templates, cache)[0].get_template("page.html").render()
    env, compiled = environment(templates, cache, trim_blocks=True, lstrip_blocks=True)
    trimmed = env.get_template("page.html").render()
    assert compiled == ["page.html"] and trimmed != plain
    env, compiled = environment(templates, cache)
    assert env.get_template("page.html").render() == plain and compiled == []


def test_entries_a_build_did_not_load_are_evicted(tmp_path):
    templates, cache = site(tmp_path)
    render(environment(templates, cache)[0])
    env, _ = environment(templates, cache)
    env.get_template("part.html")
    assert env.bytecode_cache.evict_unused() == 1
    assert len(list(cache.glob("*.jinja"))) == 1
    assert VerifiedBytecodeCache(tmp_path / "none").evict_unused() == 0


def test_an_unwritable_cache_only_costs_compilation(tmp_path):
    templates, _ = site(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env, compiled = environment(templates, blocker / "cache")
    assert render(env) == "<li>A</li><li>B</li><p>2</p>"
