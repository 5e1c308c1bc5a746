"""Case-base benchmark: leave-one-out retrieval quality, search latency over 10,000 generated cases, and the
service's search path (revision check plus search) over the shipped library stored in SQLite.

Run from the project root: .venv/bin/python -m bench.casebase
Writes bench/results/casebase.json.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from services.casebase.config import CasebaseOptions
from services.casebase.evaluation import leave_one_out
from services.casebase.library import load_cases
from services.casebase.models import Case, Casualties, Weather
from services.casebase.retrieval import CaseIndex, IncidentQuery, query_from_case
from services.casebase.searcher import CaseSearcher
from services.casebase.seed import load_shipped_library
from services.casebase.tables import TABLES
from services.casebase.text import clear_token_cache
from services.casebase.vocabulary import Severity
from services.common.catalogue import ParkKind
from services.common.db import create_schema, make_engine
from services.common.transactions import Transactions

RESULTS = Path(__file__).parent / "results" / "casebase.json"
SEED = 20250601
N_CASES = 10_000
N_QUERIES = 300
K = 10
_SENTENCE = re.compile(r"(?<=[.。])\s*")
_SEVERITIES = list(Severity)


def _shift_severity(rng: random.Random, s: Severity) -> Severity:
    i = _SEVERITIES.index(s) + rng.choice((-1, 0, 0, 1))
    return _SEVERITIES[min(max(i, 0), len(_SEVERITIES) - 1)]


def _drop_sentence(rng: random.Random, text: str) -> str:
    parts = [p for p in _SENTENCE.split(text) if p.strip()]
    if len(parts) > 1 and rng.random() < 0.5:
        parts.pop(rng.randrange(len(parts)))
    return " ".join(parts)


def perturb(rng: random.Random, base: Case, n: int) -> Case:
    """A plausible variant of a shipped case: other severity, scale, park, weather and shorter text."""
    c = base.casualties
    factor = rng.lognormvariate(0, 0.8)
    casualties = Casualties(deaths=int(c.deaths * factor), injuries=int((c.injuries or 0) * factor), evacuated=int((c.evacuated or 0) * factor) or None)
    return base.model_copy(
        update={
            "id": f"{base.id}-g{n}",
            "severity": _shift_severity(rng, base.severity),
            "casualties": casualties,
            "park_kind": rng.choice(list(ParkKind)) if rng.random() < 0.3 else base.park_kind,
            "weather": Weather(condition=base.weather.condition, wind_speed_ms=round(rng.uniform(0, 10), 1)),
            "summary": _drop_sentence(rng, base.summary),
            "summary_zh": _drop_sentence(rng, base.summary_zh or ""),
        }
    )


def generate(cases: list[Case], n: int, rng: random.Random) -> list[Case]:
    """n perturbed copies of the shipped cases, cycling through them."""
    return [perturb(rng, cases[i % len(cases)], i) for i in range(n)]


def _query(rng: random.Random, base: Case) -> IncidentQuery:
    q = query_from_case(base)
    text = _drop_sentence(rng, base.summary) + " " + _drop_sentence(rng, base.summary_zh or "")
    return q.model_copy(update={"severity": _shift_severity(rng, base.severity), "text": text})


def _p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def stored_library_search(rng: random.Random, shipped: list[Case]) -> float:
    """p95 seconds of one service search over the stored library: read the revision, then score every case."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'casebase.db'}")
        try:
            create_schema(engine, TABLES)
            tx = Transactions(engine)
            load_shipped_library(tx, CasebaseOptions().validation_context())
            searcher = CaseSearcher(tx)
            searcher.snapshot()
            latencies = []
            for _ in range(N_QUERIES):
                q = _query(rng, rng.choice(shipped))
                clear_token_cache()
                t = time.perf_counter()
                hits = searcher.snapshot().index.search(q, k=5)
                latencies.append(time.perf_counter() - t)
                assert len(hits) == 5
        finally:
            engine.dispose()
    return _p95(latencies)


def main() -> dict[str, float | int]:
    """Run the benchmark and write the results file."""
    rng = random.Random(SEED)
    shipped = load_cases()
    loo = leave_one_out(shipped)

    generated = generate(shipped, N_CASES, rng)
    t0 = time.perf_counter()
    index = CaseIndex(generated)
    build_s = time.perf_counter() - t0

    queries = [_query(rng, rng.choice(shipped)) for _ in range(N_QUERIES)]
    index.search(queries[0], k=K)  # warm caches outside the measurement
    latencies = []
    for q in queries:
        clear_token_cache()  # each query's text is tokenised from scratch, as fresh text would be
        t = time.perf_counter()
        hits = index.search(q, k=K)
        latencies.append(time.perf_counter() - t)
        assert len(hits) == K
    latencies.sort()
    p95 = _p95(latencies)
    stored_p95 = stored_library_search(rng, shipped)

    results: dict[str, float | int] = {
        "loo_top3_match": round(loo.top_all_match, 4),
        "loo_top3_precision": round(loo.top_precision, 4),
        "loo_cases": loo.n_cases,
        "search_10000_p95_s": round(p95, 5),
        "search_10000_p50_s": round(statistics.median(latencies), 5),
        "search_10000_max_s": round(latencies[-1], 5),
        "index_build_10000_s": round(build_s, 3),
        "service_search_library_p95_s": round(stored_p95, 5),
        "search_queries": N_QUERIES,
        "search_k": K,
        "seed": SEED,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
