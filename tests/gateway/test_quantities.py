"""Quantities as people write them, both ways."""

from __future__ import annotations

import math

import pytest

from console.cli.views import quantity
from gateway.quantities import format_quantity, parse_quantity


@pytest.mark.parametrize(
    ("value", "unit", "text"), [(1_000_000, "L", "1,000,000 L"), (2.5, "kg", "2.5 kg"), (12, "", "12"), (-40, "L", "-40 L"), (0.125, "", "0.12")]
)
def test_format(value: float, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text


@pytest.mark.parametrize(("text", "value"), [("1,000,000", 1e6), ("1000000 L", 1e6), ("-40", -40), ("2.5 kg", 2.5), ("1e3", 1000.0)])
def test_parse(text: str, value: float) -> None:
    assert math.isclose(parse_quantity(text), value)


@pytest.mark.parametrize("text", ["", "a lot", "1,0.0.0", "inf"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_units_of_measure_come_from_the_catalogue() -> None:
    assert quantity("FOAM_AFFF", 1e6) == "1,000,000 L" and quantity("PUMPER_ENGINE", 3) == "3"
