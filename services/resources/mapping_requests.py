"""Request fields of ResourceService: names, parents and filters read from a request, and the proto field paths of errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from emergency.resources.v1 import resources_service_pb2 as pb

from services.common.errors import FieldViolation, ServiceError, invalid_argument, raise_if
from services.common.names import PARK, STOCK, UNIT, NamePattern, id_violations
from services.resources import mapping as mp
from services.resources.domain import StockRequest, UnitRequest, UnitState

EVERY = "-"

# ---------------------------------------------------------------- ids, names and parents


def optional_id(value: str, field: str) -> str:
    """An optional id filter: empty, or a well-formed id."""
    if value:
        raise_if(id_violations(field, value))
    return value


def namespace(exercise_id: str, field: str = "exercise_id") -> str:
    """The namespace of a request: live for an empty exercise id, else a well-formed exercise id."""
    return optional_id(exercise_id, field)


def id_list(values: Sequence[str], field: str) -> list[str]:
    """A list of well-formed ids."""
    raise_if([violation for i, value in enumerate(values) for violation in id_violations(f"{field}[{i}]", value)])
    return list(values)


def parse_name(pattern: NamePattern, name: str, field: str, violations: list[FieldViolation]) -> tuple[str, ...] | None:
    """The ids in a resource name, or None with a violation."""
    ids = pattern.match(name)
    if ids is None:
        violations += pattern.violations(name, field)
    return ids


def names(pattern: NamePattern, values: Sequence[str], field: str, violations: list[FieldViolation]) -> list[tuple[str, ...]]:
    """The ids of each well-formed name of a list; each malformed one becomes a violation."""
    return [ids for i, name in enumerate(values) if (ids := parse_name(pattern, name, f"{field}[{i}]", violations))]


def park_parent(parent: str) -> str:
    """The park of "parks/{park}", or "" for "parks/-" (every park)."""
    return "" if parent == f"parks/{EVERY}" else PARK.parse_one(parent, "parent")


def stock_parent(parent: str) -> tuple[str, str]:
    """(park, depot) of a stock list parent; "-" stands for every park or depot."""
    parts = parent.split("/")
    if len(parts) != 4 or parts[0] != "parks" or parts[2] != "depots" or (parts[1] == EVERY and parts[3] != EVERY):
        raise invalid_argument([FieldViolation("parent", "expected parks/{park}/depots/{depot}, parks/{park}/depots/- or parks/-/depots/-")])
    park_id = "" if parts[1] == EVERY else optional_id(parts[1], "parent")
    depot_id = "" if parts[3] == EVERY else optional_id(parts[3], "parent")
    return park_id, depot_id


# ---------------------------------------------------------------- holds, states and masks


def unit_requests(holds: Sequence[pb.UnitHold], violations: list[FieldViolation]) -> list[UnitRequest]:
    """Each unit hold as a request with the planned version; malformed names become violations."""
    out = []
    for i, hold in enumerate(holds):
        ids = parse_name(UNIT, hold.unit, f"units[{i}].unit", violations) or ("", "")
        out.append(UnitRequest(ids[0], ids[1], hold.version))
    return out


def stock_requests(holds: Sequence[pb.StockHold], violations: list[FieldViolation]) -> list[StockRequest]:
    """Each stock hold as a request for a whole amount; malformed names and amounts become violations."""
    out = []
    for i, hold in enumerate(holds):
        ids = parse_name(STOCK, hold.stock, f"stocks[{i}].stock", violations)
        amount = mp.whole(hold.amount, f"stocks[{i}].amount", violations)
        park, depot, type_code = ids or ("", "", "")
        out.append(StockRequest(park, depot, type_code, amount=amount, expected_version=hold.version))
    return out


def unit_filter(values: Sequence[int], violations: list[FieldViolation]) -> tuple[list[UnitState], Literal["exclude", "include", "only"]]:
    """The states a unit list asks for, and whether retired units (STATE_RETIRED) are left out, added or alone."""
    states = [s for i, value in enumerate(values) if value != pb.Unit.STATE_RETIRED if (s := mp.unit_state(value, f"states[{i}]", violations))]
    if pb.Unit.STATE_RETIRED not in values:
        return states, "exclude"
    return states, "include" if states else "only"


def reported_state(value: int, violations: list[FieldViolation]) -> UnitState | None:
    """The state a status report moves a unit to; retiring is RetireUnit's."""
    if value == pb.Unit.STATE_RETIRED:
        violations.append(FieldViolation("state", "use RetireUnit to retire a unit"))
        return None
    return mp.unit_state(value, "state", violations)


# Update-mask paths the proto spells differently from the domain, per entity.
MASK_PATHS: dict[str, dict[str, str]] = {"unit": {"resource_type": "type", "home_depot_id": "home_depot"}, "stock": {"resource_type": "type"}}


def mask(entity: str, paths: Iterable[str]) -> list[str]:
    """An update mask in domain field names."""
    return [MASK_PATHS[entity].get(p, p) for p in paths]


# ---------------------------------------------------------------- proto field paths of domain violations

# Domain field names that the proto spells differently, per path segment.
SEGMENTS = {
    "type": "resource_type",
    "home_depot": "home_depot_id",
    "lender_park": "lender_park_id",
    "borrower_park": "borrower_park_id",
    "min_available": "minimum",
    "expected_version": "version",
}

# Domain field paths that a method's request carries elsewhere, by method.
REQUEST_PATHS: dict[str, dict[str, str]] = {
    "CreatePark": {"park.park_id": "park_id", "park.duty_contact.name": "park.duty_contact"},
    "UpdatePark": {"park.duty_contact.name": "park.duty_contact"},
    "CreateDepot": {"depot.depot_id": "depot_id"},
    "CreateUnit": {"unit.unit_id": "unit_id"},
    "AdjustStock": {"stock.type": "stock", "stock.depot_id": "stock", "reason": "reference"},
    "SetReservePolicy": {"reserve_policy": "policy"},
    "CreateMutualAidAgreement": {"mutual_aid": "agreement"},
    "CreateExercise": {"display_name": "title"},
    "CreateDetector": {"detector.detector_id": "detector_id", "detector.park_id": "parent"},
}


def request_paths(method: str, request: Any) -> dict[str, str]:
    """Where one request carries the domain fields its errors name (a detector import names rows by name)."""
    if isinstance(request, pb.ImportDetectorsRequest):
        return {f"detectors[{i}].{f}": f"detectors[{i}].name" for i in range(len(request.detectors)) for f in ("park_id", "detector_id")}
    return REQUEST_PATHS.get(method, {})


def proto_field(field: str, renames: dict[str, str] | None = None) -> str:
    """The request field a domain violation is about: the longest renamed prefix first, then per-segment names.

    Prefixes are looked up by key (ending at a '.' or '[' boundary), so mapping n violations costs O(n), not O(n x renames).
    """
    if renames:
        for end in sorted({i for i, ch in enumerate(field) if ch in ".["} | {len(field)}, reverse=True):
            replacement = renames.get(field[:end])
            if replacement is not None:
                field = replacement + field[end:]
                break
    parts = []
    for part in field.split("."):
        name, bracket, rest = part.partition("[")
        parts.append(SEGMENTS.get(name, name) + bracket + rest)
    return ".".join(parts)


def with_proto_fields(error: ServiceError, renames: dict[str, str] | None = None) -> ServiceError:
    """Rename an error's field violations to the request's field paths."""
    error.violations = [FieldViolation(proto_field(v.field, renames), v.description) for v in error.violations]
    return error


def index_renames(kind: str, positions: Iterable[int], proto_kind: str, id_fields: Sequence[str] = ()) -> dict[str, str]:
    """Renames from a domain list position (units[3]) to the import row it came from (rows[7].unit)."""
    renames = {}
    for i, row in enumerate(positions):
        for id_field in id_fields:
            renames[f"{kind}[{i}].{id_field}"] = f"rows[{row}].{proto_kind}.name"
        renames[f"{kind}[{i}]"] = f"rows[{row}].{proto_kind}"
    return renames


def first_per_field(error: ServiceError) -> ServiceError:
    """Keep the first violation per field path."""
    seen: dict[str, FieldViolation] = {}
    for violation in error.violations:
        seen.setdefault(violation.field, violation)
    error.violations = list(seen.values())
    return error
