"""AccidentCase, IncidentProfile and recommendation messages <-> case-base domain objects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.common.v1 import common_pb2
from pydantic import ValidationError

from services.casebase.models import Case
from services.casebase.recommend import Recommendation
from services.casebase.retrieval import IncidentQuery, SearchHit
from services.casebase.rules import rule_citation
from services.casebase.store import case_of
from services.casebase.tables import CaseRow
from services.casebase.validation import Problem, shape_problem
from services.common.clock import to_timestamp

SEVERITY_TO_LEVEL: dict[int, str] = {common_pb2.SEVERITY_I: "I", common_pb2.SEVERITY_II: "II", common_pb2.SEVERITY_III: "III", common_pb2.SEVERITY_IV: "IV"}
LEVEL_TO_SEVERITY: dict[str, Any] = {v: k for k, v in SEVERITY_TO_LEVEL.items()}
KIND_PREFIX = "INCIDENT_KIND_"
PARK_PREFIX = "PARK_KIND_"
MAX_QUERY_TEXT = 4000

UPDATABLE_PATHS = frozenset(
    {
        "title", "title_zh", "date", "place", "industry", "park_kind", "kind", "substances", "severity", "casualties",
        "duration_hours", "weather", "summary", "summary_zh", "timeline", "response_actions", "resources_used",
        "outcome", "causes", "lessons", "sources", "synthetic",
    }
)  # fmt: skip
OUTPUT_ONLY_PATHS = frozenset({"name", "create_time"})

# Domain keys each message field is stored in, where they differ from the field's own name.
_DOMAIN_KEYS: dict[str, tuple[str, ...]] = {"place": ("place", "country"), "date": ("date", "date_precision"), "duration_hours": ("duration_h",)}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SOURCE = re.compile(r"^(?P<publication>.*\S)\s*\((?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)\)$")
_PATH_PART = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")
_UN_NUMBER = re.compile(r"^(UN)?\d{4}$")


def enum_label(value: int, names: Any, prefix: str) -> str | None:
    """The domain label of an enum value: None when unset, a label the domain refuses when unknown."""
    if value == 0:
        return None
    try:
        return str(names.Name(value)).removeprefix(prefix)
    except ValueError:
        return f"unknown value {value}"


def kind_label(value: int) -> str | None:
    """Domain accident kind of an IncidentKind value."""
    return enum_label(value, common_pb2.IncidentKind, KIND_PREFIX)


def park_kind_label(value: int) -> str | None:
    """Domain park kind of a ParkKind value."""
    return enum_label(value, common_pb2.ParkKind, PARK_PREFIX)


def severity_label(value: int) -> str | None:
    """Domain severity of a Severity value."""
    return SEVERITY_TO_LEVEL.get(value, f"unknown value {value}") if value else None


def split_path(path: str) -> list[str | int]:
    """A field path like a.b[2].c as its parts."""
    return [name if name else int(index) for name, index in _PATH_PART.findall(path)]


def join_path(parts: Sequence[str | int]) -> str:
    """Parts back into a field path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None, so the domain reports them as missing or takes its default."""
    return {k: v for k, v in values.items() if v is not None}


def substance_raw(message: common_pb2.Substance) -> dict[str, Any]:
    """A substance as the domain reads it."""
    return _compact({"name": message.name, "un_number": message.un_number or None, "hazard_class": message.hazard_class or None})


def weather_raw(message: common_pb2.Weather) -> dict[str, Any]:
    """Weather as the domain reads it; proto3 zeros read as not reported."""
    return _compact({"condition": message.condition or None, "wind_speed_ms": message.wind_speed_mps or None, "temperature_c": message.temperature_c or None})


# --- accident cases -------------------------------------------------------------------------


def case_raw(message: pb.AccidentCase, case_id: str) -> tuple[dict[str, Any], list[Problem]]:
    """The domain record of a case message, and the problems found converting it (at message paths)."""
    problems: list[Problem] = []
    place, _, country = message.place.rpartition(", ")
    raw: dict[str, Any] = {
        "id": case_id,
        "title": message.title,
        "title_zh": message.title_zh or None,
        "place": place if place else country,
        "country": country if place else "",
        "industry": message.industry,
        "park_kind": park_kind_label(message.park_kind),
        "kind": kind_label(message.kind),
        "substances": [substance_raw(s) for s in message.substances],
        "severity": severity_label(message.severity),
        "casualties": _compact(
            {"deaths": message.casualties.deaths, "injuries": message.casualties.injuries or None, "evacuated": message.casualties.evacuated or None}
        ),
        "duration_h": message.duration_hours or None,
        "weather": weather_raw(message.weather) if message.HasField("weather") else None,
        "summary": message.summary,
        "summary_zh": message.summary_zh or None,
        "timeline": [{"t_min": e.offset_minutes, "text": e.text} for e in message.timeline],
        "response_actions": list(message.response_actions),
        "resources_used": [{"type": r.resource_type, "quantity": r.quantity, "estimate": r.estimated} for r in message.resources_used],
        "outcome": message.outcome,
        "causes": list(message.causes),
        "lessons": list(message.lessons),
        "synthetic": message.synthetic,
    }
    date, precision, problem = _parse_date(message.date)
    raw.update(date=date, date_precision=precision)
    if problem:
        problems.append(Problem("date", "MALFORMED", problem))
    sources = []
    for index, text in enumerate(message.sources):
        match = _SOURCE.match(text.strip())
        if match is None:
            problems.append(
                Problem(f"sources[{index}]", "MALFORMED", "write the publication and its date in parentheses, e.g. 'CSB investigation report (2007-09)'")
            )
        else:
            sources.append({"publication": match["publication"], "date": match["date"]})
    raw["sources"] = sources
    return _compact(raw), problems


def _parse_date(text: str) -> tuple[str | None, str, str]:
    """ISO date, its precision, and a problem if the text is not a date."""
    match = _DATE.match(text.strip())
    if not text.strip():
        return None, "day", "required: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known"
    if match is None:
        return None, "day", "must be YYYY-MM-DD, YYYY-MM or YYYY"
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        return None, precision, f"not a calendar date: {exc}"
    return value.isoformat(), precision, ""


def merge_case(current: Case, message: pb.AccidentCase, paths: Iterable[str]) -> tuple[dict[str, Any], list[Problem]]:
    """The stored case with the named message fields applied, and the problems of those fields."""
    incoming, problems = case_raw(message, current.id)
    merged = current.model_dump(mode="json")
    wanted = set(paths)
    for path in wanted:
        for key in _DOMAIN_KEYS.get(path, (path,)):
            if key in incoming:
                merged[key] = incoming[key]
            else:
                merged.pop(key, None)
    return merged, [p for p in problems if split_path(p.path)[0] in wanted]


def case_field(path: str) -> str:
    """The message field path of a problem found at a domain path of a case."""
    parts = split_path(path)
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    renames = {"duration_h": "duration_hours", "country": "place", "date_precision": "date", "id": "name"}
    if head in renames:
        return str(renames[head])
    if head == "timeline" and rest[1:] == ["t_min"]:
        return join_path(["timeline", rest[0], "offset_minutes"])
    if head == "resources_used" and len(rest) == 2:
        name = {"type": "resource_type", "estimate": "estimated"}.get(str(rest[1]), rest[1])
        return join_path(["resources_used", rest[0]] if name == "within_min" else ["resources_used", rest[0], name])
    if head == "weather" and rest == ["wind_speed_ms"]:
        return "weather.wind_speed_mps"
    if head == "casualties" and rest and rest[0] in ("missing", "note"):
        return "casualties"
    if head == "substances" and len(rest) == 2 and rest[1] in ("name_zh", "quantity_t"):
        return join_path(["substances", rest[0]])
    if head == "sources":
        return join_path(parts[:2])
    if head == "secondary_kinds":
        return "kind"
    return path


def format_date(case: Case) -> str:
    """The case's date at its known precision."""
    text = case.date.isoformat()
    return text[:4] if case.date_precision == "year" else text[:7] if case.date_precision == "month" else text


def case_to_proto(case: Case, created_at: dt.datetime | None = None) -> pb.AccidentCase:
    """The message view of a stored case."""
    message = pb.AccidentCase(
        name=case.name,
        title=case.title,
        title_zh=case.title_zh or "",
        date=format_date(case),
        place=", ".join(p for p in (case.place, case.country) if p),
        industry=case.industry,
        park_kind=PARK_PREFIX + (case.park_kind or "UNSPECIFIED"),
        kind=KIND_PREFIX + case.kind,
        substances=[common_pb2.Substance(name=s.name, un_number=s.un_number or "", hazard_class=s.hazard_class.value) for s in case.substances],
        severity=LEVEL_TO_SEVERITY[case.severity.value],
        casualties=pb.Casualties(deaths=case.casualties.deaths, injuries=case.casualties.injuries or 0, evacuated=case.casualties.evacuated or 0),
        duration_hours=case.duration_h or 0.0,
        summary=case.summary,
        summary_zh=case.summary_zh or "",
        timeline=[pb.CaseEvent(offset_minutes=e.t_min, text=e.text) for e in case.timeline],
        response_actions=case.response_actions,
        resources_used=[pb.ResourceUse(resource_type=r.type.value, quantity=r.quantity, estimated=r.estimate) for r in case.resources_used],
        outcome=case.outcome,
        causes=case.causes,
        lessons=case.lessons,
        sources=[f"{s.publication} ({s.date})" for s in case.sources],
        synthetic=case.synthetic,
    )
    w = case.weather
    if w.condition is not None or w.wind_speed_ms is not None or w.temperature_c is not None:
        message.weather.CopyFrom(common_pb2.Weather(condition=w.condition or "", wind_speed_mps=w.wind_speed_ms or 0.0, temperature_c=w.temperature_c or 0.0))
    if created_at is not None:
        message.create_time.CopyFrom(to_timestamp(created_at))
    return message


def case_message(row: CaseRow) -> pb.AccidentCase:
    """A stored case as a message."""
    return case_to_proto(case_of(row), row.created_at)


# --- incident profiles, search results and recommendations ---------------------------------


def query_from_profile(profile: pb.IncidentProfile) -> tuple[IncidentQuery | None, list[Problem]]:
    """The domain query of an incident profile, or the problems at message paths (relative to the profile).

    A substance whose hazard class is not known yet is matched by its name in the text only.
    """
    problems = []
    classified: list[Any] = []
    names = []
    for index, substance in enumerate(profile.substances):
        if substance.hazard_class:
            raw_substance = substance_raw(substance)
            fallback = f"UN{substance.un_number}" if substance.un_number else f"class {substance.hazard_class}"
            raw_substance["name"] = substance.name or fallback
            classified.append(raw_substance)
            continue
        classified.append(None)
        names.append(substance.name)
        if substance.un_number and not _UN_NUMBER.match(substance.un_number):
            problems.append(Problem(f"substances[{index}].un_number", "MALFORMED", "four digits, e.g. 1017"))
    raw = _compact(
        {
            "kind": kind_label(profile.kind),
            "substances": [s for s in classified if s is not None],
            "severity": severity_label(profile.severity),
            "park_kind": park_kind_label(profile.park_kind),
            "weather": weather_raw(profile.weather) if profile.HasField("weather") else None,
            "text": " ".join(t for t in (profile.text, *names) if t),
        }
    )
    if len(profile.text) > MAX_QUERY_TEXT:
        problems.append(Problem("text", "TOO_LONG", f"at most {MAX_QUERY_TEXT} characters"))
    if profile.weather.wind_speed_mps < 0:
        problems.append(Problem("weather.wind_speed_mps", "NEGATIVE", "must be >= 0"))
    try:
        query = IncidentQuery.model_validate(raw)
    except ValidationError as exc:
        positions = [i for i, s in enumerate(classified) if s is not None]
        problems += [Problem(_profile_field(p.path, positions), p.code, p.message) for p in map(shape_problem, exc.errors())]
        return None, problems
    return (query if not problems else None), problems


def _profile_field(path: str, positions: list[int]) -> str:
    """The profile field of a query problem; query substances are the profile's classified ones, in order."""
    parts = split_path(case_field(path))
    if len(parts) > 1 and parts[0] == "substances" and isinstance(parts[1], int):
        parts[1] = positions[parts[1]]
    return join_path(parts)


def similar_to_proto(hit: SearchHit, case: Case, created_at: dt.datetime | None) -> pb.SimilarCase:
    """A search hit with the reason for each part of its score."""
    return pb.SimilarCase(
        accident_case=case_to_proto(case, created_at),
        score=hit.score,
        parts=[pb.ScorePart(attribute=r.attribute, weight=r.weight, similarity=r.similarity, reason=r.detail) for r in hit.reasons],
    )


def recommended_to_proto(recommendation: Recommendation) -> list[pb.RecommendedDemand]:
    """Recommended demand lines, each citing its cases and rules."""
    out = []
    for line in recommendation.lines:
        cases = list(dict.fromkeys(f"cases/{c.ref}" for c in line.citations if c.source == "case"))
        rules = list(dict.fromkeys(rule_citation(c.ref) for c in line.citations if c.source == "rule"))
        demand = common_pb2.ResourceDemand(
            resource_type=line.resource_type.value,
            quantity=line.quantity,
            needed_within_minutes=max(1, round(line.needed_within_min)),
            required_capabilities=line.capabilities,
        )
        out.append(
            pb.RecommendedDemand(
                demand=demand, cited_cases=cases, cited_rules=rules, rationale=line.rationale(), uncapped_quantity=line.uncapped or line.quantity, cap=line.cap
            )
        )
    return out
