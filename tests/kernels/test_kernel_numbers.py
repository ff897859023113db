"""Compact and thousands formatting used for the instruments' read-outs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from figures_src.numbers import format_compact, format_thousands


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (196, "196"),
        (999, "999"),
        (1_000, "1.0K"),
        (38_416, "38.4K"),
        (38_450, "38.5K"),  # half rounds away from zero
        (150_528, "150.5K"),
        (999_949, "999.9K"),
        (999_950, "1.0M"),  # rounding to 1000.0K moves up a unit
        (1_500_000, "1.5M"),
        (2_000_000_000, "2.0B"),
        (-38_416, "-38.4K"),
        (np.int64(784), "784"),
    ],
)
def test_format_compact(n, text):
    assert format_compact(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(150_528, "150,528"), (38_416, "38,416"), (196, "196"), (-1_200, "-1,200"), (0, "0")],
)
def test_format_thousands(n, text):
    assert format_thousands(n) == text


@pytest.mark.parametrize("bad", [1.5, "196", None, True])
def test_formatters_reject_non_integers(bad):
    with pytest.raises(TypeError):
        format_compact(bad)
    with pytest.raises(TypeError):
        format_thousands(bad)


@settings(max_examples=200, deadline=None)
@given(st.integers(1_000, 10**11))
def test_compact_form_is_within_half_a_last_digit_of_the_value(n):
    text = format_compact(n)
    scale = {"K": 10**3, "M": 10**6, "B": 10**9}[text[-1]]
    mantissa = float(text[:-1])
    assert abs(mantissa * scale - n) <= 0.05 * scale + 1e-9
    assert 1.0 <= mantissa < 1000.0 or text[-1] == "B"
    assert int(format_thousands(n).replace(",", "")) == n
