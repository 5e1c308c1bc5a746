"""Greedy baseline: incidents by severity then report time, each line from the nearest allowed sources."""

from __future__ import annotations

from collections import defaultdict

from services.dispatch.flow_conversion import Flows
from services.dispatch.problem import Problem


def incident_order(problem: Problem) -> list[int]:
    """Incident indices by severity (descending), then report time, then request order."""
    incidents = problem.request.incidents
    return sorted(range(len(incidents)), key=lambda n: (-incidents[n].severity_weight, incidents[n].reported_at_s, n))


def greedy_flows(problem: Problem) -> Flows:
    """Fill every line from its nearest available eligible sources, respecting reserves."""
    available = [s.capacity for s in problem.sources]
    unlimited = problem.request.options.allow_reserve_dip
    gate_left = [g.capacity for g in problem.gates]
    flows: Flows = defaultdict(int)
    sent = [0] * len(problem.lines)
    lines_of: dict[int, list[int]] = defaultdict(list)
    for line in problem.lines:
        lines_of[line.incident].append(line.index)
    # Committed units that stay are already with their incident: count them first.
    for line in problem.lines:
        for src in problem.candidates[line.index].src.tolist():
            stays = problem.sources[src].committed == line.incident
            if stays and sent[line.index] < line.quantity and available[src] > 0:
                flows[(line.index, src)] += 1
                available[src] -= 1
                sent[line.index] += 1
    for incident in incident_order(problem):
        for index in lines_of[incident]:
            cands = problem.candidates[index]
            for src, gate in zip(cands.src.tolist(), cands.gate.tolist(), strict=True):
                need = problem.lines[index].quantity - sent[index]
                if need <= 0:
                    break
                take = min(need, available[src])
                if gate >= 0 and not unlimited:
                    take = min(take, gate_left[gate])
                if take <= 0:
                    continue
                flows[(index, src)] += take
                available[src] -= take
                sent[index] += take
                if gate >= 0:
                    gate_left[gate] -= take
    return dict(flows)
