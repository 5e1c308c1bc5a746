"""`make chaos`: attack the running suite on SQLite and PostgreSQL and write bench/results/chaos.json.

Run from the project root: .venv/bin/python -m bench.chaos [--backends sqlite,postgresql] [--seed N] [--load-s 70]
The seed fixes every random choice (which process dies when, after how long, what the operators report); pass the
printed seed again to repeat a run. Exits 1 if any check failed, keeping the data and logs of that run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from bench.chaos.run import Plan, run_plan

RESULTS = Path(__file__).resolve().parents[1] / "results" / "chaos.json"


def main() -> None:
    """Run the chosen backends one after the other and record each one's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--seed", type=int, default=None, help="seed of every random choice (default: a new one, printed)")
    parser.add_argument("--operators", type=int, default=4, help="concurrent operator loops")
    parser.add_argument("--load-s", type=float, default=70.0, help="seconds of load and kills per backend")
    parser.add_argument("--keep", action="store_true", help="keep data and logs even when every check passed")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    print(f"chaos seed {seed} (repeat with: make chaos CHAOS_ARGS='--seed {seed}')", flush=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    failed = False
    for backend in args.backends.split(","):
        plan = Plan(backend=backend.strip(), seed=seed, operators=args.operators, load_s=args.load_s, keep=args.keep)
        outcome = run_plan(plan, lambda line: print(line, flush=True))
        summary = outcome.summary()
        results[plan.backend] = summary
        print(json.dumps(summary, indent=2), flush=True)
        print("kill sequence: " + ", ".join(f"{target} ({seconds:.1f} s)" for target, seconds in outcome.kills), flush=True)
        for key, sample in sorted(outcome.tally.samples.items()):
            print(f"first {key}: {sample}", flush=True)
        for line in outcome.tally.errors[:20]:
            print("operator error:", line[:300], flush=True)
        if not outcome.findings.clean:
            failed = True
            for line in outcome.findings.details:
                print("VIOLATION", line, flush=True)
            print(f"seed {seed} on {plan.backend}: data and logs kept in {outcome.folder}", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
