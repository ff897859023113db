"""Number formatting shared by the figures, instruments and prose checks.

``format_compact`` rule: magnitudes below 1,000 print as the plain integer ("196"); from
1,000 the value is scaled to K (thousand), M (million) or B (billion) and printed with
exactly one decimal ("38.4K", "1.5M", "2.0K").  Rounding is half away from zero, done in
decimal arithmetic so 38,450 gives "38.5K" rather than depending on binary floating point.
When rounding reaches 1000.0 of a unit the next unit is used (999,960 -> "1.0M").
"""

from decimal import ROUND_HALF_UP, Decimal
from numbers import Integral  # NumPy's integer types register as Integral: no numpy import

_UNITS = (("K", 10**3), ("M", 10**6), ("B", 10**9))


def _require_int(n: object) -> int:
    # Counts (patches, pixels, tokens) are integers; a float here is a caller bug.
    if isinstance(n, bool) or not isinstance(n, Integral):
        raise TypeError(f"expected an integer, got {type(n).__name__} {n!r}")
    return int(n)


def format_compact(n: int) -> str:
    """Short human form of an integer: 196 -> "196", 38416 -> "38.4K", 1_500_000 -> "1.5M"."""
    value = _require_int(n)
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if magnitude < 1000:
        return f"{sign}{magnitude}"
    for index, (suffix, scale) in enumerate(_UNITS):
        scaled = (Decimal(magnitude) / scale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        is_last_unit = index == len(_UNITS) - 1
        if scaled < 1000 or is_last_unit:
            return f"{sign}{scaled}{suffix}"
    raise AssertionError("unreachable: the last unit always returns")


def format_thousands(n: int) -> str:
    """Integer with comma thousands separators: 150528 -> "150,528"."""
    return f"{_require_int(n):,}"
