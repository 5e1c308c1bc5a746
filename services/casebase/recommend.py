"""Demand recommendation: resources from the most similar cases, scaled to severity, plus rule minimums."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.casebase.first_response import load_table
from services.casebase.library import CaseLibrary
from services.casebase.retrieval import CaseIndex, IncidentQuery, SearchHit
from services.casebase.rules import applicable_rules, rule_citation
from services.casebase.vocabulary import HazardClass, ResourceType, Severity
from services.common.catalogue import ResourceKind


class RecommendConfig(BaseModel):
    """How case evidence is turned into quantities."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    top_k: int = Field(default=5, ge=1)
    min_score: float = Field(default=0.5, ge=0, le=1)
    support: float = Field(default=0.34, ge=0, le=1)
    severity_exponent: float = Field(default=1.0, ge=0)
    min_scale: float = Field(default=0.125, gt=0)
    max_scale: float = Field(default=2.0, gt=0)
    max_units_per_type: int = Field(default=20, ge=1)
    default_severity: Severity = Severity.III


@dataclass(frozen=True)
class Citation:
    """Where a recommended quantity came from: a similar case or a rule."""

    source: Literal["case", "rule"]
    ref: str
    quantity: float
    detail: str


@dataclass
class DemandLine:
    """A recommended demand: type, quantity, how soon it is needed and why."""

    resource_type: ResourceType
    quantity: float
    needed_within_min: float
    capabilities: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    uncapped: float = 0.0
    cap: str = ""

    @property
    def resource_kind(self) -> ResourceKind:
        """UNIT or CONSUMABLE."""
        return self.resource_type.spec.kind

    @property
    def uom(self) -> str:
        """Unit of measure of the quantity."""
        return self.resource_type.spec.uom

    def rationale(self) -> str:
        """How the quantity was reached, in one sentence naming every source."""
        cases = [c for c in self.citations if c.source == "case"]
        rules = [c for c in self.citations if c.source == "rule"]
        parts = []
        if cases:
            used = ", ".join(f"cases/{c.ref} {c.quantity:g}" for c in cases)
            parts.append(f"score-weighted median of {len(cases)} similar case(s) scaled to the incident's level ({used})")
        if rules:
            parts.append("rule minimum " + ", ".join(f"{rule_citation(c.ref)} {c.quantity:g}" for c in rules))
        governs = "; the larger governs" if cases and rules else ""
        capped = f"; capped from {self.uncapped:g} ({self.cap})" if self.cap else ""
        return f"{self.quantity:g} {self.uom}: " + "; ".join(parts) + governs + capped


@dataclass(frozen=True)
class Recommendation:
    """Recommended demands and the similar cases they drew on."""

    lines: list[DemandLine]
    similar: list[SearchHit]

    def line(self, resource_type: ResourceType) -> DemandLine | None:
        """The line for one resource type, if recommended."""
        return next((ln for ln in self.lines if ln.resource_type is resource_type), None)


def weighted_median(values: list[tuple[float, float]]) -> float:
    """Median of (value, weight) pairs; robust to one outlying case."""
    ordered = sorted(values)
    half = sum(w for _, w in ordered) / 2
    running = 0.0
    for value, weight in ordered:
        running += weight
        if running >= half:
            return value
    return ordered[-1][0]


def _round(rt: ResourceType, quantity: float, cfg: RecommendConfig) -> float:
    spec = rt.spec
    if spec.kind is ResourceKind.UNIT:
        return float(min(max(1, math.ceil(quantity - 1e-9)), cfg.max_units_per_type))
    step = spec.rounding_step
    return max(step, math.ceil(quantity / step - 1e-9) * step)


def _from_cases(q: IncidentQuery, hits: list[SearchHit], library: CaseLibrary, cfg: RecommendConfig) -> dict[ResourceType, DemandLine]:
    """Severity-scaled quantities (score-weighted median) of the types enough similar cases used."""
    severity = q.severity or cfg.default_severity
    total_score = sum(h.score for h in hits)
    users: dict[ResourceType, list[tuple[SearchHit, float, float | None, str]]] = {}
    for hit in hits:
        case = library.get(hit.case_id)
        factor = (severity.weight / case.severity.weight) ** cfg.severity_exponent
        factor = min(max(factor, cfg.min_scale), cfg.max_scale)
        for use in case.resources_used:
            scaled = use.quantity * factor
            note = (
                f"used {use.quantity:g}{' (estimate)' if use.estimate else ''} at level {case.severity}, "
                f"x{factor:.3g} for level {severity} -> {scaled:.3g}; similarity {hit.score:.2f}"
            )
            users.setdefault(use.type, []).append((hit, scaled, use.within_min, note))
    out: dict[ResourceType, DemandLine] = {}
    for rt, found in users.items():
        weight = sum(h.score for h, *_ in found)
        if total_score <= 0 or weight / total_score < cfg.support:
            continue
        quantity = weighted_median([(scaled, h.score) for h, scaled, *_ in found])
        timed = [(h.score, w) for h, _, w, _ in found if w is not None]
        within = sum(s * w for s, w in timed) / sum(s for s, _ in timed) if timed else rt.spec.needed_within_min
        out[rt] = DemandLine(
            rt, _round(rt, quantity, cfg), round(within, 1), citations=[Citation("case", h.case_id, round(scaled, 3), note) for h, scaled, _, note in found]
        )
    return out


def _hazard_classes(q: IncidentQuery) -> set[HazardClass]:
    """Every hazard class the incident names."""
    found = {s.hazard_class for s in q.substances}
    if q.hazard_class is not None:
        found.add(q.hazard_class)
    return found


def _cap(lines: dict[ResourceType, DemandLine], severity: Severity, classes: set[HazardClass], rule_minimums: dict[ResourceType, float]) -> None:
    """Cap each line at the first-response table; a rule minimum is never capped (the larger governs)."""
    table = load_table()
    for rt, line in lines.items():
        found = table.cap(rt, severity, classes)
        if found is None:
            continue
        limit, how = found
        capped = max(limit, rule_minimums.get(rt, 0.0))
        line.uncapped = line.quantity
        if line.quantity > capped:
            line.quantity = capped
            line.cap = how if capped == limit else f"{how}; rule minimum {capped:g}"


def recommend_demands(q: IncidentQuery, index: CaseIndex, library: CaseLibrary, config: RecommendConfig | None = None) -> Recommendation:
    """Recommend demands for an incident; every line cites the cases and rules it came from."""
    cfg = config or RecommendConfig()
    hits = [h for h in index.search(q, k=cfg.top_k) if h.score >= cfg.min_score]
    lines = _from_cases(q, hits, library, cfg)
    severity = q.severity or cfg.default_severity
    rule_minimums: dict[ResourceType, float] = {}
    for rule in applicable_rules(q):
        for rl in rule.lines:
            amount = rl.amount(severity)
            rule_minimums[rl.resource_type] = max(rule_minimums.get(rl.resource_type, 0.0), _round(rl.resource_type, amount, cfg))
            line = lines.get(rl.resource_type)
            if line is None:
                line = lines[rl.resource_type] = DemandLine(rl.resource_type, 0.0, rl.within_min)
            line.quantity = max(line.quantity, _round(rl.resource_type, amount, cfg))
            line.needed_within_min = min(line.needed_within_min, rl.within_min)
            line.capabilities = sorted(set(line.capabilities) | set(rl.capabilities))
            line.citations.append(Citation("rule", rule.id, amount, rule.description))
    _cap(lines, severity, _hazard_classes(q), rule_minimums)
    ordered = sorted(lines.values(), key=lambda ln: (ln.resource_kind is not ResourceKind.UNIT, ln.needed_within_min, ln.resource_type.value))
    return Recommendation(ordered, hits)
