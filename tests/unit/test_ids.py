from textbook.core.ids import duplicate_ids, element_ids


def test_duplicates_are_found_in_elements_only():
    html = (
        '<div id="a"></div><span id="b"></span><p id="a"></p>'
        '<!-- <div id="b"> --><script>x = "<p id=\'b\'>"</script>'
    )
    assert element_ids(html) == ["a", "b", "a"]
    assert duplicate_ids(html) == ["a"]
