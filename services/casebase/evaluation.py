"""Leave-one-out quality of similar-case retrieval on a case library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.casebase.models import Case
from services.casebase.retrieval import CaseIndex, RetrievalWeights, case_document, query_from_case
from services.casebase.text import tokenize


def same_class(a: Case, b: Case) -> bool:
    """Whether two cases share accident kind and primary hazard class (the relevance label)."""
    return a.kind == b.kind and a.primary_hazard_class == b.primary_hazard_class


@dataclass(frozen=True)
class LooResult:
    """Leave-one-out figures.

    top_all_match: share of cases whose k nearest other cases ALL share kind and primary hazard
    class (the headline figure; a case with fewer than k such peers counts as a failure).
    top_precision: mean share of the k nearest that match (the lenient reading).
    """

    k: int
    n_cases: int
    top_all_match: float
    top_precision: float
    misses: dict[str, list[str]] = field(default_factory=dict)


def leave_one_out(cases: Sequence[Case], weights: RetrievalWeights | None = None, k: int = 3) -> LooResult:
    """Hold each case out, rebuild the index on the rest, query with the held-out case's facts."""
    tokens = [tokenize(case_document(c)) for c in cases]
    all_match = 0
    precision = 0.0
    misses: dict[str, list[str]] = {}
    for i, held in enumerate(cases):
        others = [*cases[:i], *cases[i + 1 :]]
        index = CaseIndex(others, weights, tokens=[*tokens[:i], *tokens[i + 1 :]])
        hits = index.search(query_from_case(held), k=k)
        by_id = {c.id: c for c in others}
        matched = [same_class(held, by_id[h.case_id]) for h in hits]
        precision += sum(matched) / k
        if len(matched) == k and all(matched):
            all_match += 1
        else:
            misses[held.id] = [h.case_id for h in hits]
    n = len(cases)
    return LooResult(k, n, all_match / n if n else 0.0, precision / n if n else 0.0, misses)
