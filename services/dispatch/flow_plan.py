"""Weighted-sum relaxation as a min-cost flow: a fast fallback plan and a full CP-SAT hint.

Network: SOURCE -> source group (its count or stock) -> demand line -> SINK, plus a shortage arc
SOURCE -> line for what stays unmet. The arrival of a line's last unit is replaced by the
quantity-weighted mean arrival (w x eta / q per unit), exact when a line draws from one travel
time. A reserve is a gate node all outside-bound flow of its park and type passes through; when
the park also has its own incidents of that type, each group gets a fixed share of the gate
(groups farthest from the home incidents first), which keeps every flow plan feasible.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from services.dispatch.flow_conversion import Flows
from services.dispatch.flow_network import SINK, SOURCE, FlowNetwork
from services.dispatch.problem import NOT_COMMITTED, Problem
from services.dispatch.travel import IntArray

MEAN_SCALE = 64
MAX_ARC_COST = 10**11


def _shortage_costs(problem: Problem) -> list[int]:
    """Per-unit shortage cost large enough to dominate the travel terms of its type."""
    t_max = 1 + max((int(c.eta.max()) for c in problem.candidates if len(c.eta)), default=0)
    q_max: dict[str, int] = defaultdict(int)
    for line in problem.lines:
        q_max[line.resource_type] = max(q_max[line.resource_type], line.quantity)
    costs = []
    for line in problem.lines:
        big = min(MEAN_SCALE * 8 * t_max * q_max[line.resource_type] * 4, MAX_ARC_COST)
        costs.append(max(1, round(big * line.weight / line.quantity)))
    return costs


def _allotments(problem: Problem) -> tuple[dict[int, int], set[int]]:
    """Out-of-park share per group for gates whose park also has home incidents of the type."""
    in_park: dict[int, int] = {}
    for line in problem.lines:
        cands = problem.candidates[line.index]
        for src, eta, gate in zip(cands.src.tolist(), cands.eta.tolist(), cands.gate.tolist(), strict=True):
            s = problem.sources[src]
            if gate < 0 and s.committed == NOT_COMMITTED and problem.gate_of.get((s.park, s.resource_type)) is not None:
                in_park[src] = min(in_park.get(src, 1 << 60), eta)
    split_gates = {problem.gate_of[(problem.sources[s].park, problem.sources[s].resource_type)] for s in in_park}
    share: dict[int, int] = {}
    for g in split_gates:
        gate = problem.gates[g]
        members = [s for s in problem.sources if s.committed == NOT_COMMITTED and problem.gate_of.get((s.park, s.resource_type)) == g]
        members.sort(key=lambda s: (-in_park.get(s.index, 1 << 60), s.index))
        left = gate.capacity
        for s in members:
            share[s.index] = min(s.capacity, left)
            left -= share[s.index]
    return share, split_gates


def _shares_of(problem: Problem, flows: Flows, split_gates: set[int]) -> dict[int, int]:
    """Out-of-park amount each group of a split gate sends under a plan."""
    share: dict[int, int] = defaultdict(int)
    for (line_index, src), value in flows.items():
        c = problem.candidates[line_index]
        at = np.flatnonzero(c.src == src)
        if len(at) and int(c.gate[at[0]]) in split_gates:
            share[src] += value
    return share


def flow_flows(problem: Problem, keep: Flows | None = None, kept: list[IntArray] | None = None) -> Flows:
    """Solve the weighted-sum relaxation exactly and return its flows.

    With `keep` (a feasible plan's flows), the flow instead re-routes that plan: every line gets
    exactly what it got, and each group splitting a reserve gate sends out of its park at most what
    it sent, so the plan itself is a solution and the result has the same unmet demand. `kept`
    limits each line to those candidate positions (a pruned model's).
    """
    net = FlowNetwork()
    opts = problem.request.options
    dip_cost = int(opts.reserve_dip_penalty_s)
    move_cost = int(opts.move_penalty_s)
    line_node = [net.node() for _ in problem.lines]
    total = 0
    delivered: dict[int, int] = defaultdict(int)
    for (line_index, _), value in (keep or {}).items():
        delivered[line_index] += value
    for line, cost in zip(problem.lines, _shortage_costs(problem), strict=True):
        if keep is None:
            net.arc(line_node[line.index], SINK, line.quantity, 0)
            net.arc(SOURCE, line_node[line.index], line.quantity, cost)
            total += line.quantity
        else:
            net.arc(line_node[line.index], SINK, delivered[line.index], 0)
            total += delivered[line.index]
    share, split_gates = _allotments(problem)
    if keep is not None:
        share = _shares_of(problem, keep, split_gates)
    gate_node: dict[int, int] = {}
    for reserve in problem.gates:
        if reserve.index in split_gates:
            continue
        node = net.node()
        gate_node[reserve.index] = node
        net.arc(SOURCE, node, reserve.capacity, 0)
        if opts.allow_reserve_dip:
            net.arc(SOURCE, node, reserve.home - reserve.capacity, dip_cost)
    src_node: dict[int, int] = {}
    out_node: dict[int, int] = {}
    used = {int(s) for c in problem.candidates for s in c.src}
    for s in problem.sources:
        if s.index not in used:
            continue
        node = net.node()
        src_node[s.index] = node
        gate = problem.gate_of.get((s.park, s.resource_type)) if s.committed == NOT_COMMITTED else None
        if gate is not None and gate in gate_node:
            net.arc(gate_node[gate], node, s.capacity, 0)
            out_node[s.index] = node
        else:
            net.arc(SOURCE, node, s.capacity, 0)
            if gate is not None:
                out = net.node()
                out_node[s.index] = out
                net.arc(node, out, share.get(s.index, 0), 0)
                if opts.allow_reserve_dip:
                    net.arc(node, out, s.capacity - share.get(s.index, 0), dip_cost)
    cand_arcs: list[tuple[int, int, int]] = []
    for line in problem.lines:
        cands = problem.candidates[line.index]
        per_unit = line.kind.value == "UNIT"
        at = slice(None) if kept is None else kept[line.index]
        for src, eta, gate, move, cap in zip(
            cands.src[at].tolist(), cands.eta[at].tolist(), cands.gate[at].tolist(), cands.move[at].tolist(), cands.cap[at].tolist(), strict=True
        ):
            tail = out_node[src] if gate >= 0 else src_node[src]
            mean = round(MEAN_SCALE * line.weight * eta / line.quantity)
            travel = eta if per_unit else int(np.ceil(eta / line.quantity))
            arc = net.arc(tail, line_node[line.index], cap, mean + travel + (move_cost if move else 0))
            cand_arcs.append((arc, line.index, src))
    smcf = net.solve(total)
    if not net.optimal:
        raise RuntimeError(f"min-cost flow ended with status {net.status}")
    flows: Flows = {}
    values = net.flows(smcf, [a for a, _, _ in cand_arcs])
    for (_, line_index, src), value in zip(cand_arcs, values, strict=True):
        if value > 0:
            flows[(line_index, src)] = flows.get((line_index, src), 0) + value
    return flows
