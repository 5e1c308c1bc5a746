"""Exact decomposition of a request into independent parts, solved one after the other.

Lines and sources that no candidate arc or reserve gate connects never interact: every tier of the
objective is a sum over lines, so the lexicographic optimum of the whole is the union of the parts'
optima (the unmet tier is minimised part by part, and the completion tier with every part's unmet
held at its minimum is then separable too). Parts are found with union-find (they split at least by
resource type), packed into batches of about BATCH_CANDIDATES candidates, and each batch is solved
by the full stage sequence with a share of the time proportional to its size. A large request then
becomes a series of models that CP-SAT (and, under the size limit, HiGHS) can actually solve.

The sum of the batches' completion bounds is a bound for the request when every batch proved its
unmet tier (else a plan could trade unmet demand between batches, and no bound is reported).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
from scipy.cluster.hierarchy import DisjointSet

from services.dispatch.cancel import Cancellation
from services.dispatch.flow_conversion import Flows
from services.dispatch.optimiser import CpReport, solve_cpsat
from services.dispatch.problem import NOT_COMMITTED, LineCandidates, Problem
from services.dispatch.prune import DEFAULT_FACTOR
from services.dispatch.quick import quick_report

BATCH_CANDIDATES = 2500
MIN_BATCH_CANDIDATES = 150
# On small requests (no quick pass) only parts below this size share a batch: branch and bound on two
# independent parts at once closes the gap much more slowly than on each alone (the contended medium
# instance's foam part took 0.4 s alone and 4 s packed with 116 other candidates).
SMALL_BATCH_CANDIDATES = 60
MAX_BATCHES = 8
# Share of the time for the quick plans and bounds of every batch; a batch gets the full stages only
# with at least MIN_BATCH_S of its own.
QUICK_SHARE = 0.35
MIN_BATCH_S = 0.25
# Every batch gets at least this long for its quick plan and bound, even past the deadline: a bound
# at every size is worth a slight overrun.
QUICK_FLOOR_S = 0.15
QUICK_ABOVE = 3000
PASSES = 2
LANE_MARGIN_S = 0.05
# Bounds computed with only the unmet fractions held (not their tie-break, units short).
TIE_FREE_BOUNDS = ("lp", "flow")

Hints = list[tuple[str, Flows]]


def parts(problem: Problem) -> list[tuple[list[int], list[int]]]:
    """Connected (lines, sources) groups: joined by candidate arcs and by shared reserve gates."""
    nodes = DisjointSet([("l", line.index) for line in problem.lines] + [("s", s.index) for s in problem.sources])
    for line in problem.lines:
        for src in problem.candidates[line.index].src.tolist():
            nodes.merge(("l", line.index), ("s", src))
    first_of_gate: dict[int, int] = {}
    for s in problem.sources:
        gate = problem.gate_of.get((s.park, s.resource_type)) if s.committed == NOT_COMMITTED else None
        if gate is not None:
            nodes.merge(("s", first_of_gate.setdefault(gate, s.index)), ("s", s.index))
    out = []
    for subset in nodes.subsets():
        lines = sorted(i for kind, i in subset if kind == "l")
        if lines:
            out.append((lines, sorted(i for kind, i in subset if kind == "s")))
    return out


def batches(problem: Problem, groups: list[tuple[list[int], list[int]]]) -> list[tuple[list[int], list[int]]]:
    """Groups packed, largest first, into batches of about a MAX_BATCHES-th of the request (within limits).

    Small requests are split too, down to their parts: a MIP over independent parts is much harder for
    branch and bound than the parts one by one.
    """
    size = {id(g): sum(len(problem.candidates[i].src) for i in g[0]) for g in groups}
    total = sum(size.values())
    target = min(BATCH_CANDIDATES, max(MIN_BATCH_CANDIDATES, total // MAX_BATCHES))
    if total <= QUICK_ABOVE:
        target = SMALL_BATCH_CANDIDATES
    out: list[tuple[list[int], list[int]]] = []
    load: list[int] = []
    for g in sorted(groups, key=lambda g: -size[id(g)]):
        if out and load[-1] + size[id(g)] <= target:
            out[-1] = (out[-1][0] + g[0], out[-1][1] + g[1])
            load[-1] += size[id(g)]
        else:
            out.append((list(g[0]), list(g[1])))
            load.append(size[id(g)])
    return [(sorted(lines), sorted(srcs)) for lines, srcs in out]


def subproblem(problem: Problem, lines: list[int], sources: list[int]) -> Problem:
    """The request restricted to some lines and sources, renumbered from 0 (gates follow their sources)."""
    src_map = np.full(len(problem.sources), -1, dtype=np.int64)
    src_map[sources] = np.arange(len(sources))
    gates = sorted({int(g) for i in lines for g in problem.candidates[i].gate.tolist() if g >= 0})
    gate_map = np.full(len(problem.gates) + 1, -1, dtype=np.int64)
    gate_map[gates] = np.arange(len(gates))
    candidates = []
    for i in lines:
        c = problem.candidates[i]
        gate = np.where(c.gate >= 0, gate_map[c.gate], -1)
        candidates.append(LineCandidates(src=src_map[c.src], eta=c.eta, gate=gate, move=c.move, cap=c.cap))
    return replace(
        problem,
        lines=[replace(problem.lines[i], index=n) for n, i in enumerate(lines)],
        sources=[replace(problem.sources[s], index=n) for n, s in enumerate(sources)],
        gates=[replace(problem.gates[g], index=n) for n, g in enumerate(gates)],
        candidates=candidates,
        gate_of={key: int(gate_map[g]) for key, g in problem.gate_of.items() if gate_map[g] >= 0},
        source_table=None,
    )


def _local(flows: Flows, line_map: dict[int, int], src_map: dict[int, int]) -> Flows:
    return {(line_map[li], src_map[s]): v for (li, s), v in flows.items() if li in line_map and s in src_map}


def solve_decomposed(
    problem: Problem,
    hints: Hints,
    deadline: float,
    listener: Callable[[Flows], None] | None = None,
    factor: float = DEFAULT_FACTOR,
    cancel: Cancellation | None = None,
) -> CpReport:
    """Solve part by part (one batch: the request as it is) and merge the reports.

    First every batch gets the quick plan and flow bound (`quick.py`), so the whole request has a plan
    and a bound early; then the time left goes to the full stages, batch by batch in order of their
    gap, each with a share of the time proportional to its candidates.
    """
    groups = batches(problem, parts(problem))
    if len(groups) <= 1:
        return solve_cpsat(problem, hints, deadline, listener, factor, cancel)
    cancel = cancel if cancel is not None else Cancellation()
    weights = [max(1, sum(len(problem.candidates[i].src) for i in lines)) for lines, _ in groups]
    subs = [subproblem(problem, lines, sources) for lines, sources in groups]
    local = [[(name, _local(f, {g: k for k, g in enumerate(lines)}, {g: k for k, g in enumerate(sources)})) for name, f in hints] for lines, sources in groups]
    # Small requests skip the quick pass: their full stages start at once and rarely run out of time.
    quick_share = QUICK_SHARE if sum(weights) > QUICK_ABOVE else 0.0
    quick_until = time.perf_counter() + quick_share * max(0.0, deadline - time.perf_counter())
    reports: list[CpReport] = []
    for n, sub in enumerate(subs):
        now = time.perf_counter()
        share = max(0.0, quick_until - now) * weights[n] / sum(weights[n:])
        reports.append(quick_report(sub, local[n], now + max(share, QUICK_FLOOR_S if quick_share else 0.0), cancel, lp=not quick_share))
    order = sorted(range(len(subs)), key=lambda n: -(reports[n].completion_best_s - reports[n].completion_bound_s))
    lanes = max(1, min(len(subs), problem.request.options.num_workers, os.cpu_count() or 1))
    # The call waits for the slower lane, and a solve ends a little after its own deadline.
    lane_deadline = deadline - (LANE_MARGIN_S if lanes > 1 else 0.0)
    _Schedule(subs, local, reports, order, weights, lane_deadline, lanes, factor, cancel).run()
    return merge([(r, lines, sources) for r, (lines, sources) in zip(reports, groups, strict=True)])


class _Schedule:
    """The batches' full stages, solved in `lanes` threads side by side (one per solver worker).

    Each batch gets a share of the lane-time left in proportion to its candidates (lanes busy with
    another batch count only from that batch's end). A second pass gives the time proven batches
    left over to those still open; a batch whose share is below MIN_BATCH_S waits for it.
    Parts are independent, so their solves never interact; each lane's CP-SAT gets an even part of
    the workers.
    """

    def __init__(
        self,
        subs: list[Problem],
        hints: list[Hints],
        reports: list[CpReport],
        order: list[int],
        weights: list[int],
        deadline: float,
        lanes: int,
        factor: float,
        cancel: Cancellation,
    ) -> None:
        options = subs[0].request.options if subs else None
        workers = max(1, options.num_workers // lanes) if options is not None else 1
        self.subs = [replace(sub, request=replace(sub.request, options=replace(sub.request.options, num_workers=workers))) for sub in subs]
        self.hints = hints
        self.reports = reports
        self.order = order
        self.weights = weights
        self.deadline = deadline
        self.lanes = lanes
        self.factor = factor
        self.cancel = cancel
        self.lock = threading.Lock()
        self.runs = [0] * len(subs)
        self.running: dict[int, float] = {}

    def run(self) -> None:
        """Solve until every pass is done or the time is up; a solver error in any lane is raised here."""
        if self.lanes <= 1:
            self._work()
            return
        with ThreadPoolExecutor(max_workers=self.lanes - 1, thread_name_prefix="dispatch-part") as pool:
            others = [pool.submit(self._work) for _ in range(self.lanes - 1)]
            self._work()
            for other in others:
                other.result()

    def _pick(self) -> tuple[int, float] | None:
        """The next batch to solve and its deadline, or None when there is nothing left worth the time."""
        with self.lock:
            while not self.cancel.cancelled:
                now = time.perf_counter()
                left = self.deadline - now
                todo: list[int] = []
                for rounds in range(PASSES):
                    todo = [n for n in self.order if self.runs[n] == rounds and n not in self.running and (rounds == 0 or self.reports[n].status != "OPTIMAL")]
                    if todo:
                        break
                if not todo or left < MIN_BATCH_S:
                    return None
                n = todo[0]
                busy = sum(min(end, self.deadline) - now for end in self.running.values() if end > now)
                capacity = self.lanes * left - busy
                share = min(left, capacity * self.weights[n] / sum(self.weights[m] for m in todo))
                self.runs[n] += 1
                if share >= MIN_BATCH_S:
                    self.running[n] = now + share
                    return n, now + share
            return None

    def _work(self) -> None:
        """One lane: solve batches until none is left."""
        while (picked := self._pick()) is not None:
            n, until = picked
            seeds = [*self.hints[n], (self.reports[n].plan_origin, self.reports[n].flows)]
            try:
                result = solve_cpsat(self.subs[n], seeds, until, None, self.factor, self.cancel)
            finally:
                with self.lock:
                    self.running.pop(n, None)
            with self.lock:
                self.reports[n] = better(self.reports[n], result)


def better(old: CpReport, new: CpReport) -> CpReport:
    """The better of two reports on the same batch, with every bound that holds for it.

    Bounds hold over plans with no more unmet demand than the report's own, so they are pooled only
    when both reports reached the same unmet tier.
    """

    def key(r: CpReport) -> tuple[int, int, float]:
        return (r.best_unmet, r.best_short, r.completion_best_s)

    best, other = (new, old) if key(new) <= key(old) else (old, new)
    bounds = dict(best.bounds)
    unmet_proven, fraction_proven = best.unmet_proven, best.fraction_proven
    if other.best_unmet == best.best_unmet:
        for name, value in other.bounds.items():
            bounds[name] = max(value, bounds.get(name, 0.0))
        fraction_proven = fraction_proven or other.fraction_proven
        unmet_proven = unmet_proven or (other.unmet_proven and other.best_short == best.best_short)
    bound = max(bounds.values(), default=0.0)
    proven = unmet_proven and bound >= best.completion_best_s - 1e-9
    return replace(
        best,
        unmet_proven=unmet_proven,
        fraction_proven=fraction_proven,
        bounds=bounds,
        completion_bound_s=bound,
        completion_proven=proven,
        status="OPTIMAL" if proven else "FEASIBLE",
        solver_found=old.solver_found or new.solver_found,
    )


def merge(reports: list[tuple[CpReport, list[int], list[int]]]) -> CpReport:
    """One report for the request from the batches' reports (flows back in the request's numbering)."""
    flows: Flows = {}
    for report, lines, sources in reports:
        for (li, s), v in report.flows.items():
            flows[(lines[li], sources[s])] = v
    rs = [r for r, _, _ in reports]
    unmet_proven = all(r.unmet_proven for r in rs)
    if unmet_proven:
        bound = sum(r.completion_bound_s for r in rs)
    elif all(r.fraction_proven for r in rs):
        # Parts could trade units short between them: only bounds that ignore the tie-break hold.
        bound = sum(max((v for k, v in r.bounds.items() if k in TIE_FREE_BOUNDS), default=0.0) for r in rs)
    else:
        bound = 0.0
    origins = sorted({r.plan_origin for r in rs})
    firsts = [r.first_solution_s for r in rs if r.first_solution_s is not None]
    return CpReport(
        flows=flows,
        status="OPTIMAL" if all(r.status == "OPTIMAL" for r in rs) else "FEASIBLE",
        unmet_proven=unmet_proven,
        completion_proven=all(r.completion_proven for r in rs),
        completion_bound_s=bound,
        model_bound_s=sum(r.model_bound_s for r in rs),
        pruned=any(r.pruned for r in rs),
        completion_best_s=sum(r.completion_best_s for r in rs),
        build_s=sum(r.build_s for r in rs),
        first_solution_s=min(firsts) if firsts else None,
        variables=sum(r.variables for r in rs),
        constraints=sum(r.constraints for r in rs),
        candidates=sum(r.candidates for r in rs),
        plan_origin="+".join(origins),
        bounds={"parts": bound} if bound > 0 else {},
        solver_found=any(r.solver_found for r in rs),
        fraction_proven=all(r.fraction_proven for r in rs),
    )
