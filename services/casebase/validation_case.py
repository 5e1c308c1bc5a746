"""Whole-record validation of accident cases, reporting every problem with its field path; checks of case requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.common.v1 import common_pb2
from pydantic import ValidationError

from services.casebase.mapping_case import OUTPUT_ONLY_PATHS, SEVERITY_TO_LEVEL, UPDATABLE_PATHS
from services.casebase.models import Case
from services.casebase.validation import CASE_NAME, Problem, shape_problem
from services.casebase.vocabulary import HazardClass
from services.common.errors import FieldViolation
from services.common.idempotency import request_id_violations
from services.common.pagination import page_size_violations

MAX_SHORT_TEXT = 300
"""Longest title, place or industry."""
MAX_LONG_TEXT = 20_000
"""Longest summary, outcome or other free text."""
MAX_ITEMS = 500
"""Most entries of any list of a case."""
MAX_QUERY = 200
"""Longest text filter of a list call."""

_SHORT_FIELDS = ("title", "title_zh", "place", "country", "industry")
_LONG_FIELDS = ("summary", "summary_zh", "outcome")
_LISTS = ("substances", "timeline", "response_actions", "resources_used", "causes", "lessons", "sources")


def validate_case(raw: Mapping[str, Any]) -> tuple[Case | None, list[Problem]]:
    """Validate a case as a whole: sizes and cross-field rules on the raw record, then every field's shape."""
    problems = _size_problems(raw) + _cross_field_problems(raw)
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        shape = [shape_problem(err) for err in exc.errors()]
        # The model's own cross-field check reports at the root; the precise paths above replace it.
        return None, problems + [p for p in shape if p.path != "(root)" or not problems]
    return (case if not problems else None), problems


def _size_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Text and list length limits."""
    found = []
    for name, limit in [*((f, MAX_SHORT_TEXT) for f in _SHORT_FIELDS), *((f, MAX_LONG_TEXT) for f in _LONG_FIELDS)]:
        value = raw.get(name)
        if isinstance(value, str) and len(value) > limit:
            found.append(Problem(name, "TOO_LONG", f"at most {limit} characters (got {len(value)})"))
    for name in _LISTS:
        value = raw.get(name)
        if isinstance(value, list) and len(value) > MAX_ITEMS:
            found.append(Problem(name, "TOO_MANY", f"at most {MAX_ITEMS} entries (got {len(value)})"))
    return found


def _entries(raw: Mapping[str, Any], name: str) -> Sequence[Any]:
    """A list field of the raw record, or nothing if it is not a list."""
    value = raw.get(name)
    return value if isinstance(value, list) else []


def _cross_field_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Timeline order, resource types once each, secondary kinds apart from the kind, sources for real cases."""
    found: list[Problem] = []
    previous: float | None = None
    for i, entry in enumerate(_entries(raw, "timeline")):
        offset = entry.get("t_min") if isinstance(entry, Mapping) else None
        if not isinstance(offset, int | float) or isinstance(offset, bool):
            continue
        if previous is not None and offset < previous:
            found.append(Problem(f"timeline[{i}].t_min", "OUT_OF_ORDER", f"{offset:g} min is before the previous entry's {previous:g}"))
        previous = offset if previous is None else max(previous, offset)
    seen: set[str] = set()
    for i, use in enumerate(_entries(raw, "resources_used")):
        code = use.get("type") if isinstance(use, Mapping) else None
        if isinstance(code, str) and code in seen:
            found.append(Problem(f"resources_used[{i}].type", "DUPLICATE", f"{code} is listed twice"))
        if isinstance(code, str):
            seen.add(code)
    for i, kind in enumerate(_entries(raw, "secondary_kinds")):
        if kind == raw.get("kind"):
            found.append(Problem(f"secondary_kinds[{i}]", "REPEATS_KIND", f"{kind} is already the case's kind"))
    if not raw.get("synthetic") and not _entries(raw, "sources"):
        found.append(Problem("sources", "REQUIRED", "a case from a real accident names at least one source"))
    return found


def list_violations(request: pb.ListCasesRequest) -> list[FieldViolation]:
    """Filters of a list call: known kind, hazard class and level, a text of bounded length."""
    violations = page_size_violations(request.page_size, maximum=500)
    if request.kind and request.kind not in common_pb2.IncidentKind.values():
        violations.append(FieldViolation("kind", f"unknown incident kind {request.kind}"))
    if request.hazard_class and request.hazard_class not in {h.value for h in HazardClass}:
        violations.append(FieldViolation("hazard_class", "must be a UN class or division, e.g. 2.3 or 8"))
    if request.severity and request.severity not in SEVERITY_TO_LEVEL:
        violations.append(FieldViolation("severity", f"unknown severity {request.severity}"))
    if len(request.query) > MAX_QUERY:
        violations.append(FieldViolation("query", f"at most {MAX_QUERY} characters"))
    return violations


def update_violations(request: pb.UpdateCaseRequest) -> list[FieldViolation]:
    """An update names the case and top-level fields it may change, and sets no output-only field."""
    violations = request_id_violations(request.request_id) + CASE_NAME.violations(request.accident_case.name, "accident_case.name")
    paths = list(dict.fromkeys(request.update_mask.paths))
    if not paths:
        violations.append(FieldViolation("update_mask", "name at least one field to change"))
    for path in paths:
        if path not in UPDATABLE_PATHS:
            reason = "output only" if path in OUTPUT_ONLY_PATHS else "not a field of AccidentCase (name top-level fields only)"
            violations.append(FieldViolation(f"update_mask.paths[{path}]", f"{path!r} cannot be updated: {reason}"))
    if request.accident_case.HasField("create_time"):
        violations.append(FieldViolation("accident_case.create_time", "output only; must not be set"))
    return violations
