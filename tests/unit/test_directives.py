import pytest

from textbook.chapter.directives import scan
from textbook.core.errors import SourceError

GOOD = """\
Intro.

/// equation | Patch embedding
    id: eq-mm1-2
    label: EQ MM1.2

$$
N = 1
$$
///

```text
/// equation | inside a code fence: not a directive
```

/// quiz | quiz-vit-patches
    kind: number
    answer: vit_patches

Question?

//// explanation
Worked.
////
///
"""


def test_scan_finds_directives_with_lines_and_skips_code():
    found = scan(GOOD, "docs/x.md", first_line=5)
    assert [(d.kind, d.line, d.anchor) for d in found] == [
        ("equation", 7, "eq-mm1-2"),
        ("quiz", 20, "quiz-vit-patches"),
        ("explanation", 26, None),
    ]
    assert found[0].argument == "Patch embedding"
    assert found[1].options == {"kind": "number", "answer": "vit_patches"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("/// equation | T\n    id: eq-a\n///\n", 1, "needs the option 'label:'"),
        (
            "/// equation | T\n    id: eq-a\n    label: L\n    colour: red\n///\n",
            1,
            "unknown option 'colour'",
        ),
        ("/// equation\n    id: eq-a\n    label: L\n///\n", 1, "needs an argument"),
        ("x\n\n/// figure\n    id: figure-1\n    name: a\n///\n", 3, "must start with 'fig-'"),
        ("/// figure\n    id: fig-Bad_Id\n    name: a\n///\n", 1, "lowercase letters"),
        ("/// quiz | quiz-a\n    kind: essay\n    answer: x\n///\n", 1, "must be one of"),
        ("/// quiz | a\n    kind: number\n    answer: x\n///\n", 1, "must start with 'quiz-'"),
        ("\n/// figure\n    id: fig-a\n    name: a\n", 2, "never closed"),
        ("/// figure\n    id: fig-a\n    id: fig-b\n///\n", 3, "given twice"),
    ],
)
def test_bad_directives_name_file_and_line(text, line, message):
    with pytest.raises(SourceError) as caught:
        scan(text, "docs/ch.md")
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"docs/ch.md:{line}: ")


def test_other_extensions_blocks_are_left_alone():
    assert scan("/// details | Note\n    open: true\n\nbody\n///\n", "x.md") == []
