"""Quantities as people write them: 1,000,000 L rather than 1e+06, and back."""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"^\s*([+-]?[\d,_]*\.?\d+(?:[eE][+-]?\d+)?)\s*([A-Za-z%³²/.]*)\s*$")


def format_quantity(value: float, unit: str = "") -> str:
    """Thousands separated, decimals only where there are any, then the unit of measure."""
    if not math.isfinite(value):
        text = str(value)
    elif float(value).is_integer():
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def parse_quantity(text: str) -> float:
    """1,000,000 or 1000000 L or 2.5 or -40 as a number (the unit, if written, is left to the caller to check); ValueError otherwise."""
    match = NUMBER.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a quantity (e.g. 1,000,000 or 250 L)")
    value = float(match.group(1).replace(",", "").replace("_", ""))
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite quantity")
    return value
