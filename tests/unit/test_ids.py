import random

from textbook.core.ids import ID_ATTR_RE, SKIP_RE, duplicate_ids, element_ids


def test_duplicates_are_found_in_elements_only():
    html = (
        '<div id="a"></div><span id="b"></span><p id="a"></p>'
        '<!-- <div id="b"> --><script>x = "<p id=\'b\'>"</script>'
    )
    assert element_ids(html) == ["a", "b", "a"]
    assert duplicate_ids(html) == ["a"]


def test_element_ids_finds_what_the_pattern_finds_in_every_tag():
    def reference(html: str) -> list[str]:
        return [m.group("id") for m in ID_ATTR_RE.finditer(SKIP_RE.sub("", html))]

    tricky = [
        '<a title=">" id="x"><b id="y" id="z">',
        '<a data-id="p" id="q"><i\tid=\'r\'>',
        '<a title=" id=" id="s">',
        '<1 id="t"><a id="u>v"> id="w"',
        'id="x"<p id="">',
        '<div\nid="a"><div id="a">',
        '<x<a id="><p id="<a id="',  # an id holding a "<": the next tag starts after it
    ]
    pieces = ["<a", "<p", "<", ">", " ", "\t", "id=", " id=", '"', "'", "x", "y"]
    pieces += ["<!--", "-->", "<script>", "</script>"]
    generated = ["".join(random.Random(n).choices(pieces, k=30)) for n in range(5000)]
    assert sum(bool(reference(html)) for html in generated) > 50  # the ids are exercised
    for html in tricky + generated:
        assert element_ids(html) == reference(html), html
