"""After-action records: target results, rubric scores, and turning a closed live incident into a case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, model_validator

from services.casebase.library import CaseLibrary
from services.casebase.models import AfterActionReport, Case, Casualties, Model, RubricItem, Source, Substance, Target, TargetResult, TimelineEntry, Weather
from services.casebase.vocabulary import AccidentKind, Severity
from services.common.catalogue import ParkKind


class ClosedIncident(Model):
    """The facts of a live incident once it is closed, as the incident service reports them (casualties if known)."""

    id: str = Field(min_length=1)
    state: Literal["CLOSED"]
    title: str = Field(min_length=3)
    title_zh: str | None = None
    park: str
    park_kind: ParkKind | None = None
    place: str
    country: str = "China"
    industry: str = "chemical industry"
    kind: AccidentKind
    substances: list[Substance] = Field(min_length=1)
    severity: Severity
    casualties: Casualties | None = None
    weather: Weather = Field(default_factory=Weather)
    description: str = Field(min_length=10)
    causes: list[str] = Field(default_factory=list)
    reported_at: dt.datetime
    closed_at: dt.datetime

    @model_validator(mode="after")
    def _times(self) -> ClosedIncident:
        if self.closed_at <= self.reported_at:
            raise ValueError("closed_at must be after reported_at")
        return self


def evaluate_target(target: Target, observed: float | None, inject_id: str | None = None) -> TargetResult:
    """Compare an observation with a target; a target with no observation counts as missed."""
    met = observed is not None and target.comparator.holds(observed, target.threshold)
    return TargetResult(
        target_id=target.id, metric=target.metric, comparator=target.comparator, threshold=target.threshold, observed=observed, met=met, inject_id=inject_id
    )


def score_results(results: Sequence[TargetResult], rubric: Sequence[RubricItem]) -> float:
    """Rubric score in [0, 1]: each item's weight times the share of its targets met."""
    met = {r.target_id: r.met for r in results}
    total_weight = sum(item.weight for item in rubric)
    if total_weight <= 0:
        raise ValueError("rubric has no positive weight")
    score = 0.0
    for item in rubric:
        share = sum(1 for t in item.targets if met.get(t, False)) / len(item.targets)
        score += item.weight * share
    return score / total_weight


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _describe_miss(r: TargetResult) -> str:
    seen = "not observed" if r.observed is None else f"observed {r.observed:g}"
    return f"Target {r.target_id} missed: {r.metric} {seen}, needed {r.comparator.value} {r.threshold:g}."


def case_from_incident(incident: ClosedIncident, report: AfterActionReport) -> Case:
    """Turn a closed live incident and its after-action report into a new accident case."""
    if report.origin != "LIVE":
        raise ValueError("only live incidents become accident cases; drill reports do not")
    if report.incident_id != incident.id:
        raise ValueError(f"report {report.id} is about incident {report.incident_id}, not {incident.id}")
    hours = (incident.closed_at - incident.reported_at).total_seconds() / 3600
    timeline = [TimelineEntry(t_min=r.offset_s / 60, text=r.text) for r in sorted(report.timeline, key=lambda r: r.offset_s)]
    if not timeline:
        timeline = [TimelineEntry(t_min=0, text="Incident reported."), TimelineEntry(t_min=hours * 60, text="Incident closed.")]
    results = report.target_results
    score = f"; response score {report.score:.0%}" if report.score is not None else ""
    harm = incident.casualties
    counted = f"with {harm.deaths} deaths and {harm.injuries or 0} injuries" if harm else "(casualties not recorded)"
    outcome = f"Closed after {hours:.1f} h {counted}; {len(report.targets_met)}/{len(results)} targets met{score}."
    return Case(
        id=_slug(f"live-{incident.id}"),
        title=incident.title,
        title_zh=incident.title_zh,
        date=incident.reported_at.date(),
        place=incident.place,
        country=incident.country,
        industry=incident.industry,
        park_kind=incident.park_kind,
        kind=incident.kind,
        substances=incident.substances,
        severity=incident.severity,
        casualties=harm or Casualties(note="not recorded in the after-action report"),
        duration_h=max(round(hours, 2), 0.01),  # a response shorter than 36 s still lasted
        weather=incident.weather,
        summary=incident.description,
        timeline=timeline,
        response_actions=report.response_actions or [e.text for e in timeline],
        resources_used=report.resources_used,
        outcome=outcome,
        causes=incident.causes or ["Under investigation at closure."],
        lessons=[*report.lessons, *(_describe_miss(r) for r in report.targets_missed)] or ["No lessons recorded."],
        sources=[Source(publication=f"After-action report {report.id} (incident {incident.id})", date=report.ended_at.date().isoformat())],
        synthetic=False,
    )


def learn_from_incident(library: CaseLibrary, incident: ClosedIncident, report: AfterActionReport) -> Case:
    """Add the case made from a closed incident to the library and return it."""
    case = case_from_incident(incident, report)
    library.add(case)
    return case
