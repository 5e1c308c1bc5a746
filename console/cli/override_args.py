"""Plan overrides from the console's options: UNIT=INCIDENT, UNIT, PARK:TYPE[=MIN], LENDER:BORROWER[:TYPES], each [#reason]."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from emergency.gateway.v1 import gateway_service_pb2 as gpb


def _split(text: str, default_reason: str, option: str) -> tuple[str, str]:
    """The value and its reason (its own #reason, else the default); a reason is required."""
    value, _, own = text.partition("#")
    why = own.strip() or default_reason.strip()
    if not why:
        raise typer.BadParameter(f"{text!r}: say why, with #reason or --reason (it goes on the incident's timeline)", param_hint=option)
    return value.strip(), why


def _name(value: str, collection: str) -> str:
    """A bare id or a full resource name, as a full name."""
    return value if value.startswith(f"{collection}/") else f"{collection}/{value}"


def parse_overrides(pins: Sequence[str], excludes: Sequence[str], dips: Sequence[str], aid: Sequence[str], reason: str) -> gpb.PlanOverrides:
    """The overrides the options describe."""
    overrides = gpb.PlanOverrides()
    for text in pins:
        value, why = _split(text, reason, "--pin")
        unit, sep, incident = value.partition("=")
        if not sep or not unit or not incident:
            raise typer.BadParameter(f"{text!r}: use parks/PARK/units/UNIT=INCIDENT", param_hint="--pin")
        overrides.pins.add(unit=unit, incident=_name(incident, "incidents"), reason=why)
    for text in excludes:
        value, why = _split(text, reason, "--exclude")
        overrides.exclusions.add(unit=value, reason=why)
    for text in dips:
        value, why = _split(text, reason, "--reserve-dip")
        place, _, minimum = value.partition("=")
        park, sep, code = place.partition(":")
        if not sep or not park or not code:
            raise typer.BadParameter(f"{text!r}: use PARK:TYPE[=MINIMUM]", param_hint="--reserve-dip")
        try:
            floor = float(minimum or 0)
        except ValueError as exc:
            raise typer.BadParameter(f"{text!r}: the minimum must be a number", param_hint="--reserve-dip") from exc
        overrides.reserve_dips.add(park_id=park, resource_type=code.upper(), minimum=floor, reason=why)
    for text in aid:
        value, why = _split(text, reason, "--mutual-aid")
        parts = value.split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise typer.BadParameter(f"{text!r}: use LENDER:BORROWER[:TYPE,TYPE]", param_hint="--mutual-aid")
        codes = [c.strip().upper() for c in parts[2].split(",") if c.strip()] if len(parts) == 3 else []
        overrides.mutual_aid.add(lender_park_id=parts[0], borrower_park_id=parts[1], resource_types=codes, reason=why)
    return overrides
