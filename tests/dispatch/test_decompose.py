"""Decomposition of small requests: parts kept apart, every part's unmet tier proven, cancelling every thread."""

from __future__ import annotations

import threading

import pytest
from ortools.util.python import solve_interrupter

from fixtures.dispatch.instances import InstanceSpec, generate
from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import unmet_coefficients, weight_scale
from services.dispatch.decompose import SMALL_BATCH_CANDIDATES, batches, parts, subproblem
from services.dispatch.greedy import greedy_flows
from services.dispatch.mip import LastArrivalMip
from services.dispatch.problem import Problem, build_problem
from services.dispatch.quick import quick_report

OVERLOADED = InstanceSpec("overloaded", incidents=20, units=1000, seed=4, load=1.1, reserve_fraction=0.1)


def _candidates(problem: Problem, lines: list[int]) -> int:
    return sum(len(problem.candidates[i].src) for i in lines)


def test_a_small_request_packs_only_its_smallest_parts_together() -> None:
    problem = build_problem(generate(OVERLOADED))
    groups = parts(problem)
    packed = batches(problem, groups)
    assert sorted(i for lines, _ in packed for i in lines) == list(range(len(problem.lines)))
    size = {tuple(lines): _candidates(problem, lines) for lines, _ in groups}
    for lines, _ in packed:
        members = [g for g in size if set(g) <= set(lines)]
        if len(members) > 1:
            assert _candidates(problem, lines) <= SMALL_BATCH_CANDIDATES
    assert any(_candidates(problem, lines) > SMALL_BATCH_CANDIDATES for lines, _ in packed)


def _short_parts(problem: Problem) -> list[Problem]:
    """Small parts of the request where some demand is left short (so the unmet tie-break matters)."""
    out = []
    for lines, sources in parts(problem):
        sub = subproblem(problem, lines, sources)
        if _candidates(sub, list(range(len(sub.lines)))) <= 100:
            report = quick_report(sub, [("greedy", greedy_flows(sub))], 0.0, Cancellation(), lp=True)
            if report.best_short > 0:
                out.append(sub)
    return out


def test_the_quick_report_proves_a_parts_unmet_tier_and_bounds_its_optimum() -> None:
    subs = _short_parts(build_problem(generate(OVERLOADED)))
    assert subs
    for sub in subs:
        without = quick_report(sub, [("greedy", greedy_flows(sub))], 0.0, Cancellation())
        report = quick_report(sub, [("greedy", greedy_flows(sub))], 0.0, Cancellation(), lp=True)
        assert not without.unmet_proven
        coef, wscale = unmet_coefficients(sub), weight_scale(sub)
        first = LastArrivalMip(sub, coef, wscale, None).solve(60.0, tier="unmet")
        tie = LastArrivalMip(sub, coef, wscale, round(first.value)).solve(60.0, tier="short", hint=first.flows)
        best = LastArrivalMip(sub, coef, wscale, round(first.value), round(tie.value)).solve(60.0, hint=tie.flows)
        assert first.proven and tie.proven and best.proven
        # Proven means it is the optimum of both measures of the unmet tier.
        assert report.unmet_proven
        assert (report.best_unmet, report.best_short) == (round(first.value), round(tie.value))
        assert "lp" in report.bounds
        assert report.completion_bound_s <= best.value / wscale + 1e-6
        assert report.completion_bound_s <= report.completion_best_s + 1e-6


def test_cancelling_interrupts_the_solvers_of_every_thread() -> None:
    cancel = Cancellation()
    attached = threading.Barrier(3)
    interrupters = [solve_interrupter.SolveInterrupter() for _ in range(2)]
    released = threading.Event()

    def lane(interrupter: solve_interrupter.SolveInterrupter) -> None:
        assert cancel.attach(interrupter)
        attached.wait(10)
        released.wait(10)
        cancel.detach()

    threads = [threading.Thread(target=lane, args=(i,)) for i in interrupters]
    for t in threads:
        t.start()
    attached.wait(10)
    cancel.cancel()
    released.set()
    for t in threads:
        t.join(10)
    assert all(i.interrupted for i in interrupters)
    assert not cancel.attach(solve_interrupter.SolveInterrupter())


@pytest.mark.parametrize("other_running", [False, True])
def test_detach_forgets_only_the_calling_threads_solvers(other_running: bool) -> None:
    cancel = Cancellation()
    mine, theirs = solve_interrupter.SolveInterrupter(), solve_interrupter.SolveInterrupter()
    other_done = threading.Event()
    keep = threading.Event()

    def other() -> None:
        cancel.attach(theirs)
        other_done.set()
        keep.wait(10)
        if not other_running:
            cancel.detach()

    worker = threading.Thread(target=other)
    worker.start()
    other_done.wait(10)
    cancel.attach(mine)
    cancel.detach()
    if not other_running:
        keep.set()
        worker.join(10)
    cancel.cancel()
    keep.set()
    worker.join(10)
    assert not mine.interrupted
    assert theirs.interrupted is other_running
