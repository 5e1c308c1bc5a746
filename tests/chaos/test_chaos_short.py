"""A short chaos run: one SIGKILL of every service and of Redis under operator load, then the whole audit."""

from __future__ import annotations

from bench.chaos.run import TARGETS, Plan, run_plan


def test_one_kill_of_each_process_under_load_breaks_nothing() -> None:
    lines: list[str] = []
    plan = Plan(
        backend="sqlite",
        seed=20261203,
        operators=2,
        kills_per_target=1,
        overlap=True,
        gap_s=(0.5, 2.0),
        parks=("shengang", "xiagang", "chengxi"),
        reservation_ttl_s=10,
    )
    outcome = run_plan(plan, lines.append)
    assert sorted(target for target, _ in outcome.kills) == sorted(TARGETS), lines
    assert outcome.tally.committed > 0, lines
    assert outcome.findings.details == [], "\n".join([*lines, *outcome.tally.errors])
    summary = outcome.summary()
    assert (summary["invariant_violations"], summary["lost_events"], summary["duplicate_events"], summary["orphan_holds"], summary["double_issues"]) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert outcome.findings.outbox_rows > 0
