"""Resource names of the service (parks/{park}/units/{unit} ...) and their parsing."""

from __future__ import annotations

import re

from services.common.errors import FieldViolation, ServiceError, invalid_argument

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ID_RULE = "1-63 characters: lower-case letters, digits and '-', starting with a letter or digit"


def is_valid_id(value: str) -> bool:
    """Tell whether a park, depot, unit or exercise id is well formed."""
    return bool(ID_PATTERN.match(value))


def park_name(park_id: str) -> str:
    """parks/{park}"""
    return f"parks/{park_id}"


def depot_name(park_id: str, depot_id: str) -> str:
    """parks/{park}/depots/{depot}"""
    return f"parks/{park_id}/depots/{depot_id}"


def unit_name(park_id: str, unit_id: str) -> str:
    """parks/{park}/units/{unit}"""
    return f"parks/{park_id}/units/{unit_id}"


def stock_name(park_id: str, depot_id: str, type_code: str) -> str:
    """parks/{park}/depots/{depot}/stocks/{type}"""
    return f"parks/{park_id}/depots/{depot_id}/stocks/{type_code}"


def reserve_policy_name(park_id: str, type_code: str) -> str:
    """parks/{park}/reservePolicies/{type}"""
    return f"parks/{park_id}/reservePolicies/{type_code}"


def mutual_aid_name(lender_park: str, borrower_park: str) -> str:
    """parks/{lender}/mutualAid/{borrower}"""
    return f"parks/{lender_park}/mutualAid/{borrower_park}"


def reservation_name(reservation_id: str) -> str:
    """reservations/{reservation}"""
    return f"reservations/{reservation_id}"


def exercise_name(exercise_id: str) -> str:
    """exercises/{exercise}"""
    return f"exercises/{exercise_id}"


_PATTERNS: dict[str, re.Pattern[str]] = {
    "park": re.compile(r"^parks/([^/]+)$"),
    "depot": re.compile(r"^parks/([^/]+)/depots/([^/]+)$"),
    "unit": re.compile(r"^parks/([^/]+)/units/([^/]+)$"),
    "stock": re.compile(r"^parks/([^/]+)/depots/([^/]+)/stocks/([A-Z0-9_]+)$"),
    "reserve_policy": re.compile(r"^parks/([^/]+)/reservePolicies/([A-Z0-9_]+)$"),
    "mutual_aid": re.compile(r"^parks/([^/]+)/mutualAid/([^/]+)$"),
    "reservation": re.compile(r"^reservations/([A-Za-z0-9-]+)$"),
    "exercise": re.compile(r"^exercises/([^/]+)$"),
    "detector": re.compile(r"^parks/([^/]+)/detectors/([^/]+)$"),
}

_EXAMPLES = {
    "park": "parks/{park}",
    "depot": "parks/{park}/depots/{depot}",
    "unit": "parks/{park}/units/{unit}",
    "stock": "parks/{park}/depots/{depot}/stocks/{TYPE}",
    "reserve_policy": "parks/{park}/reservePolicies/{TYPE}",
    "mutual_aid": "parks/{lender}/mutualAid/{borrower}",
    "reservation": "reservations/{reservation}",
    "exercise": "exercises/{exercise}",
    "detector": "parks/{park}/detectors/{detector}",
}


def parse(kind: str, name: str, field: str = "name") -> tuple[str, ...]:
    """Split a resource name into its ids, or refuse it as INVALID_ARGUMENT naming the field."""
    match = _PATTERNS[kind].match(name or "")
    if match is None:
        raise invalid_argument([FieldViolation(field, f"expected {_EXAMPLES[kind]}, got {name!r}")])
    ids = match.groups()
    if kind not in ("reservation",):
        bad = [i for i in ids if not (is_valid_id(i) or re.fullmatch(r"[A-Z0-9_]+", i))]
        if bad:
            raise invalid_argument([FieldViolation(field, f"bad id {bad[0]!r}: {ID_RULE}")])
    return ids


def parse_or_none(kind: str, name: str) -> tuple[str, ...] | None:
    """Split a resource name into its ids, or None when it does not match."""
    try:
        return parse(kind, name)
    except ServiceError:
        return None
