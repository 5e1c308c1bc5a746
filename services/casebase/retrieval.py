"""Similar-case search: weighted attribute similarity over the hazard taxonomy plus text similarity."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.casebase.models import Case, Casualties, SubstanceRef, Weather
from services.casebase.taxonomy import (
    HAZARD_INDEX,
    HAZARD_MATRIX,
    KIND_INDEX,
    KIND_MATRIX,
    PARK_INDEX,
    PARK_MATRIX,
    kind_similarity,
    park_kind_similarity,
    substance_key,
    substance_similarity,
)
from services.casebase.text import TfidfIndex, tokenize
from services.casebase.vocabulary import AccidentKind, HazardClass, Severity
from services.common.catalogue import ParkKind

UNKNOWN_SIMILARITY = 0.5
"""Similarity used when the case does not record an attribute the query gives."""

ATTRIBUTES = ("kind", "hazard_class", "substance", "severity", "scale", "park_kind", "weather", "text")


class RetrievalWeights(BaseModel):
    """Weights of the score's parts; they are normalised over the parts a query gives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: float = Field(default=0.30, ge=0)
    hazard_class: float = Field(default=0.25, ge=0)
    substance: float = Field(default=0.10, ge=0)
    severity: float = Field(default=0.08, ge=0)
    scale: float = Field(default=0.04, ge=0)
    park_kind: float = Field(default=0.05, ge=0)
    weather: float = Field(default=0.03, ge=0)
    text: float = Field(default=0.15, ge=0)
    secondary_kind_factor: float = Field(default=0.7, ge=0, le=1)
    scale_span_decades: float = Field(default=3.0, gt=0)
    wind_scale_ms: float = Field(default=4.0, gt=0)

    @model_validator(mode="after")
    def _some_weight(self) -> RetrievalWeights:
        if sum(getattr(self, a) for a in ATTRIBUTES) <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class IncidentQuery(BaseModel):
    """What is known of an incident when looking for similar cases."""

    model_config = ConfigDict(extra="forbid")

    kind: AccidentKind
    substances: list[SubstanceRef] = Field(default_factory=list)
    hazard_class: HazardClass | None = None
    severity: Severity | None = None
    park_kind: ParkKind | None = None
    weather: Weather | None = None
    casualties: Casualties | None = None
    text: str = ""

    @property
    def primary_hazard_class(self) -> HazardClass | None:
        """Hazard class of the first substance, else the one given directly."""
        return self.substances[0].hazard_class if self.substances else self.hazard_class


@dataclass(frozen=True)
class ScoreReason:
    """One part of a score: its weight, the similarity found and why."""

    attribute: str
    weight: float
    similarity: float
    contribution: float
    detail: str


@dataclass(frozen=True)
class SearchHit:
    """A retrieved case with its score and the reasons for each part of it."""

    case_id: str
    score: float
    reasons: list[ScoreReason]


def impact_scale(c: Casualties) -> float:
    """Log-scale size of an accident from its casualties (deaths weigh ten injuries)."""
    return math.log10(1.0 + 10.0 * (c.deaths + c.missing) + (c.injuries or 0) + 0.01 * (c.evacuated or 0))


def case_document(case: Case) -> str:
    """Text of a case that free-text queries are matched against."""
    parts = [case.title, case.title_zh or "", case.summary, case.summary_zh or "", case.industry, case.place]
    parts += [s.name + " " + (s.name_zh or "") for s in case.substances]
    parts += case.causes
    return "\n".join(p for p in parts if p)


def query_from_case(case: Case) -> IncidentQuery:
    """The query an incident like this case would have made (used for leave-one-out checks)."""
    subs = [SubstanceRef(name=s.name, un_number=s.un_number, hazard_class=s.hazard_class) for s in case.substances]
    return IncidentQuery(
        kind=case.kind, substances=subs, severity=case.severity, park_kind=case.park_kind, weather=case.weather, casualties=case.casualties, text=case.summary
    )


class CaseIndex:
    """Precomputed arrays and a TF-IDF matrix over a case collection, for fast scoring."""

    def __init__(self, cases: Sequence[Case], weights: RetrievalWeights | None = None, tokens: Sequence[Sequence[str]] | None = None) -> None:
        self.cases = list(cases)
        self.weights = weights or RetrievalWeights()
        self.position = {c.id: i for i, c in enumerate(self.cases)}
        if len(self.position) != len(self.cases):
            raise ValueError("case ids must be unique")
        n = len(self.cases)
        self.kind = np.array([KIND_INDEX[c.kind] for c in self.cases], dtype=np.int64)
        self.secondary = np.zeros((n, len(KIND_INDEX)), dtype=bool)
        for i, c in enumerate(self.cases):
            for k in c.secondary_kinds:
                self.secondary[i, KIND_INDEX[k]] = True
        self.hazard = np.array([HAZARD_INDEX[c.primary_hazard_class] for c in self.cases], dtype=np.int64)
        self.severity = np.array([c.severity.rank for c in self.cases], dtype=np.float64)
        self.scale = np.array([impact_scale(c.casualties) for c in self.cases], dtype=np.float64)
        self.park = np.array([PARK_INDEX[c.park_kind] if c.park_kind else -1 for c in self.cases], dtype=np.int64)
        self.wind = np.array([c.weather.wind_speed_ms if c.weather.wind_speed_ms is not None else np.nan for c in self.cases])
        self.substance_keys: dict[str, int] = {}
        self.substance_class: list[HazardClass] = []
        width = max((len(c.substances) for c in self.cases), default=1)
        self.substances = np.full((n, width), -1, dtype=np.int64)
        for i, c in enumerate(self.cases):
            for j, s in enumerate(c.substances):
                key = substance_key(s.un_number, s.name)
                if key not in self.substance_keys:
                    self.substance_keys[key] = len(self.substance_keys)
                    self.substance_class.append(s.hazard_class)
                self.substances[i, j] = self.substance_keys[key]
        docs = tokens if tokens is not None else [tokenize(case_document(c)) for c in self.cases]
        self.text = TfidfIndex(docs)

    def __len__(self) -> int:
        return len(self.cases)

    def _parts(self, q: IncidentQuery, qvec: dict[int, float]) -> dict[str, NDArray[np.float64]]:
        """Similarity of the query with every case, per attribute the query gives."""
        w = self.weights
        parts: dict[str, NDArray[np.float64]] = {}
        row = KIND_MATRIX[KIND_INDEX[q.kind]]
        secondary = (self.secondary * row).max(axis=1) * w.secondary_kind_factor if len(self.cases) else row[:0]
        parts["kind"] = np.maximum(row[self.kind], secondary)
        hazard = q.primary_hazard_class
        if hazard is not None:
            parts["hazard_class"] = HAZARD_MATRIX[HAZARD_INDEX[hazard]][self.hazard]
        if q.substances:
            table = np.zeros(len(self.substance_keys) + 1)  # last slot: padding
            for key, idx in self.substance_keys.items():
                table[idx] = max(
                    substance_similarity(substance_key(s.un_number, s.name), s.hazard_class, key, self.substance_class[idx])[0] for s in q.substances
                )
            parts["substance"] = table[self.substances].max(axis=1)
        if q.severity is not None:
            parts["severity"] = 1.0 - np.abs(self.severity - q.severity.rank) / 3.0
        if q.casualties is not None:
            gap = np.abs(self.scale - impact_scale(q.casualties)) / w.scale_span_decades
            parts["scale"] = 1.0 - np.minimum(gap, 1.0)
        if q.park_kind is not None:
            park = PARK_MATRIX[PARK_INDEX[q.park_kind]][np.maximum(self.park, 0)]
            parts["park_kind"] = np.where(self.park >= 0, park, UNKNOWN_SIMILARITY)
        if q.weather is not None and q.weather.wind_speed_ms is not None:
            sim = np.exp(-np.abs(self.wind - q.weather.wind_speed_ms) / w.wind_scale_ms)
            parts["weather"] = np.where(np.isnan(self.wind), UNKNOWN_SIMILARITY, sim)
        if q.text.strip():
            parts["text"] = self.text.scores(qvec)
        return {a: v for a, v in parts.items() if getattr(w, a) > 0}

    def _effective_weights(self, attributes: Collection[str]) -> dict[str, float]:
        total = sum(getattr(self.weights, a) for a in attributes)
        return {a: getattr(self.weights, a) / total for a in attributes} if total > 0 else {}

    def _score(self, q: IncidentQuery) -> tuple[dict[int, float], dict[str, NDArray[np.float64]], dict[str, float], NDArray[np.float64]]:
        """Query vector, per-attribute similarities, effective weights and total score of every case."""
        qvec = self.text.query_vector(tokenize(q.text))
        parts = self._parts(q, qvec)
        eff = self._effective_weights(parts)
        total = np.zeros(len(self.cases))
        for a, sim in parts.items():
            total += eff[a] * sim
        return qvec, parts, eff, total

    def scores(self, q: IncidentQuery) -> NDArray[np.float64]:
        """Score of every case for the query, in [0, 1]."""
        return self._score(q)[3]

    def search(self, q: IncidentQuery, k: int = 10, exclude: Collection[str] = ()) -> list[SearchHit]:
        """The k best cases for the query, best first, each with the reasons for its score."""
        qvec, parts, eff, total = self._score(q)
        for cid in exclude:
            if cid in self.position:
                total[self.position[cid]] = -1.0
        k = min(k, len(self.cases))
        if k <= 0:
            return []
        top = np.argpartition(-total, k - 1)[:k]
        top = top[np.lexsort((top, -total[top]))]  # score desc, then stable by position
        return [SearchHit(self.cases[i].id, float(total[i]), self._reasons(q, qvec, parts, eff, int(i))) for i in top if total[i] >= 0]

    def _reasons(self, q: IncidentQuery, qvec: dict[int, float], parts: dict[str, NDArray[np.float64]], eff: dict[str, float], i: int) -> list[ScoreReason]:
        case = self.cases[i]
        out = []
        for a in ATTRIBUTES:
            if a not in parts:
                continue
            sim = float(parts[a][i])
            out.append(ScoreReason(a, eff[a], sim, eff[a] * sim, self._detail(a, q, qvec, case, i, sim)))
        return out

    def _detail(self, a: str, q: IncidentQuery, qvec: dict[int, float], case: Case, i: int, sim: float) -> str:
        """Human-readable explanation of one attribute's similarity."""
        if a == "kind":
            direct = kind_similarity(q.kind, case.kind)
            if sim > direct + 1e-9:
                via = max(case.secondary_kinds, key=lambda k: kind_similarity(q.kind, k))
                return f"{q.kind} vs secondary kind {via} of case (primary {case.kind})"
            relation = "same kind" if q.kind == case.kind else "related kinds" if direct >= 0.3 else "unrelated kinds"
            return f"{q.kind} vs {case.kind}: {relation}"
        if a == "hazard_class":
            h = q.primary_hazard_class
            label = "distant"
            if h == case.primary_hazard_class:
                label = "same class"
            elif sim >= 0.3:
                label = "taxonomy neighbours"
            return f"class {h} vs {case.primary_hazard_class}: {label}"
        if a == "substance":
            best = max(
                (
                    (
                        substance_similarity(substance_key(s.un_number, s.name), s.hazard_class, substance_key(c.un_number, c.name), c.hazard_class),
                        s.name,
                        c.name,
                    )
                    for s in q.substances
                    for c in case.substances
                ),
                key=lambda t: t[0][0],
            )
            return f"{best[1]} vs {best[2]}: {best[0][1]}"
        if a == "severity":
            return f"severity {q.severity} vs {case.severity}"
        if a == "scale":
            assert q.casualties is not None
            return f"impact scale {impact_scale(q.casualties):.1f} vs {impact_scale(case.casualties):.1f} (log10)"
        if a == "park_kind":
            if case.park_kind is None:
                return f"{q.park_kind} vs unknown park kind"
            same = park_kind_similarity(q.park_kind, case.park_kind) if q.park_kind else 0.0
            return f"{q.park_kind} vs {case.park_kind}" + (" (same)" if same == 1.0 else "")
        if a == "weather":
            wind = case.weather.wind_speed_ms
            q_wind = q.weather.wind_speed_ms if q.weather else None
            return f"wind {q_wind} m/s vs " + (f"{wind} m/s" if wind is not None else "unknown")
        terms = self.text.shared_terms(qvec, i)
        return "shared terms: " + (", ".join(terms) if terms else "none")
