"""Small instances and their proven optima, solved once with a long limit and stored as a fixture.

Run `python -m tests.dispatch.exact_fixtures` to rebuild tests/fixtures/scenarios/exact/optima.yaml
(minutes: HiGHS solves both tiers of every instance to proven optimality, without CP-SAT).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import yaml

from fixtures.dispatch.exact import solve_exact
from fixtures.dispatch.instances import InstanceSpec, generate
from services.dispatch.model import DispatchRequest

OPTIMA = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "exact" / "optima.yaml"
LOADS = (0.8, 0.9, 1.0, 1.1, 0.85, 0.95, 1.05, 0.8, 1.0, 1.1, 0.9, 1.05)
RESERVES = (0.0, 0.1, 0.2, 0.1, 0.0, 0.2, 0.1, 0.2, 0.0, 0.1, 0.1, 0.2)


def specs() -> list[InstanceSpec]:
    """Twelve 5 x 200 and twelve 10 x 400 instances at loads 0.8-1.1."""
    out = []
    for incidents, units, base in ((5, 200, 100), (10, 400, 200)):
        for n, (load, reserve) in enumerate(zip(LOADS, RESERVES, strict=True)):
            out.append(InstanceSpec(f"exact-{incidents}x{units}-{n + 1}", incidents, units, seed=base + n, load=load, reserve_fraction=reserve))
    return out


def digest(request: DispatchRequest) -> str:
    """A fingerprint of the generated request, so a changed generator is noticed."""
    return hashlib.sha256(repr(request).encode()).hexdigest()[:16]


def spec_of(entry: dict[str, Any]) -> InstanceSpec:
    """The instance spec stored in a fixture entry."""
    return InstanceSpec(entry["name"], entry["incidents"], entry["units"], seed=entry["seed"], load=entry["load"], reserve_fraction=entry["reserve_fraction"])


def main() -> None:
    """Solve every instance and write the fixture."""
    entries = []
    for spec in specs():
        request = generate(spec)
        exact = solve_exact(request, seconds_per_tier=300.0)
        entry = {
            "name": spec.name,
            "incidents": spec.incidents,
            "units": spec.units,
            "seed": spec.seed,
            "load": spec.load,
            "reserve_fraction": spec.reserve_fraction,
            "digest": digest(request),
            "weighted_unmet": round(exact.weighted_unmet, 9),
            "weighted_units_short": round(exact.weighted_units_short, 9),
            "weighted_completion_s": exact.weighted_completion_s,
            "proven": exact.proven,
            "solve_s": round(exact.seconds, 2),
        }
        print(entry, file=sys.stderr, flush=True)
        entries.append(entry)
    OPTIMA.parent.mkdir(parents=True, exist_ok=True)
    header = "# Proven optima (HiGHS MIP, both tiers) of generated instances; rebuild: python -m tests.dispatch.exact_fixtures\n"
    OPTIMA.write_text(header + yaml.safe_dump({"instances": entries}, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main()
