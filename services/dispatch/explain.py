"""Per-incident explanation: chosen sources, next-best alternatives and the rules that bound them."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from services.common.catalogue import ResourceKind
from services.dispatch.model import Alternative, Binding, Choice, IncidentExplanation, LineExplanation, Plan
from services.dispatch.problem import AID_TRAVEL_LIMIT, REASON_NAMES, Line, Problem, reasons

MAX_EXCLUDED_PER_LINE = 3


class _Usage:
    """Who uses what under a plan."""

    def __init__(self, problem: Problem, plan: Plan) -> None:
        self.unit_line: dict[str, int] = {}
        self.line_units: dict[int, list[str]] = defaultdict(list)
        self.line_stock: dict[int, dict[int, float]] = defaultdict(dict)
        self.stock_used: dict[int, float] = defaultdict(float)
        self.gate_out: dict[int, float] = defaultdict(float)
        for a in plan.assignments:
            line = problem.line_index.get((a.incident_id, a.demand_index))
            src = problem.unit_source.get(a.unit_id)
            if line is None or src is None:
                continue
            self.unit_line[a.unit_id] = line
            self.line_units[line].append(a.unit_id)
            self._gate(problem, line, src, 1.0)
        for s in plan.shipments:
            line = problem.line_index.get((s.incident_id, s.demand_index))
            src = problem.stock_source.get((s.depot_id, s.resource_type))
            if line is None or src is None:
                continue
            self.line_stock[line][src] = self.line_stock[line].get(src, 0.0) + s.amount
            self.stock_used[src] += s.amount
            self._gate(problem, line, src, s.amount)

    def _gate(self, problem: Problem, line: int, src: int, amount: float) -> None:
        c = problem.candidates[line]
        hit = np.flatnonzero(c.src == src)
        if len(hit) and c.gate[hit[0]] >= 0:
            self.gate_out[int(c.gate[hit[0]])] += amount


def _alternative(source_id: str, alt_eta: int, eta: int, status: str) -> Alternative:
    """The next-best source; a nearer one costs nothing more (its status says why it was not taken)."""
    return Alternative(source_id, float(alt_eta), max(0.0, (alt_eta - eta) / 60), status)


def _unit_status(problem: Problem, usage: _Usage, unit_id: str, gate: int) -> str:
    line = usage.unit_line.get(unit_id)
    if line is not None:
        other = problem.lines[line]
        return f"assigned to {other.incident_id} (severity weight {other.weight:g})"
    if gate >= 0 and usage.gate_out[gate] >= problem.gates[gate].capacity:
        g = problem.gates[gate]
        return f"idle, held by the reserve of park {g.park_id} ({g.minimum} {g.resource_type})"
    return "idle"


def _alternatives_units(problem: Problem, usage: _Usage, line: Line) -> list[tuple[str, int, str]]:
    """Eligible units not on this line, nearest first, with their status."""
    c = problem.candidates[line.index]
    mine = set(usage.line_units.get(line.index, []))
    out = []
    for src, eta, gate in zip(c.src.tolist(), c.eta.tolist(), c.gate.tolist(), strict=True):
        for unit_id in problem.sources[src].ids:
            if unit_id not in mine:
                out.append((unit_id, eta, _unit_status(problem, usage, unit_id, gate)))
                break
        if out:
            break
    return out


def _unit_line(problem: Problem, usage: _Usage, line: Line) -> tuple[list[Choice], float]:
    chosen = usage.line_units.get(line.index, [])
    alternatives = _alternatives_units(problem, usage, line)
    choices = []
    completion = 0.0
    for unit_id in sorted(chosen, key=lambda u: (problem.eta(problem.unit_source[u], line.incident), u)):
        eta = problem.eta(problem.unit_source[unit_id], line.incident)
        completion = max(completion, eta)
        alt = alternatives[0] if alternatives else None
        choices.append(Choice(source_id=unit_id, eta_s=float(eta), amount=1.0, alternative=None if alt is None else _alternative(alt[0], alt[1], eta, alt[2])))
    return choices, completion


def _stock_line(problem: Problem, usage: _Usage, line: Line) -> tuple[list[Choice], float]:
    used = usage.line_stock.get(line.index, {})
    c = problem.candidates[line.index]
    others = []
    for src, eta in zip(c.src.tolist(), c.eta.tolist(), strict=True):
        if src in used:
            continue
        left = problem.sources[src].capacity - usage.stock_used[src]
        status = f"{left:g} left" if left > 0 else "exhausted by other incidents"
        others.append((problem.sources[src].ids[0], eta, status))
        break
    choices = []
    completion = 0.0
    for src, amount in sorted(used.items(), key=lambda kv: problem.eta(kv[0], line.incident)):
        eta = problem.eta(src, line.incident)
        completion = max(completion, eta)
        alt = others[0] if others else None
        choices.append(
            Choice(
                source_id=problem.sources[src].ids[0],
                eta_s=float(eta),
                amount=amount,
                alternative=None if alt is None else _alternative(alt[0], alt[1], eta, alt[2]),
            )
        )
    return choices, completion


def _excluded(problem: Problem, line: Line, horizon: float) -> list[Binding]:
    """Nearer sources of the right type that a rule kept away, with the rule."""
    srcs = np.array([s.index for s in problem.sources if s.resource_type == line.resource_type and s.capacity > 0], dtype=np.int64)
    reason, eta, _, _ = reasons(problem, line, srcs)
    order = np.argsort(eta, kind="stable")
    out = []
    for k in order.tolist():
        if reason[k] == 0 or eta[k] > horizon:
            continue
        src = problem.sources[int(srcs[k])]
        who = src.ids[0] if src.kind is ResourceKind.UNIT else f"depot {src.ids[0]}"
        code = int(reason[k])
        detail = REASON_NAMES[code]
        if code == AID_TRAVEL_LIMIT:
            detail += f" (park {problem.parks[src.park]} -> {problem.parks[line.park]})"
        out.append(Binding(REASON_NAMES[code], who, f"{who} ({eta[k] / 60:.1f} min) not usable for {line.resource_type}: {detail}"))
        if len(out) >= MAX_EXCLUDED_PER_LINE:
            break
    return out


def _gates(problem: Problem, usage: _Usage, line: Line, horizon: float) -> list[Binding]:
    c = problem.candidates[line.index]
    out = []
    near = {int(x) for x, eta in zip(c.gate.tolist(), c.eta.tolist(), strict=True) if x >= 0 and eta <= horizon}
    for g in sorted(near):
        gate = problem.gates[g]
        if usage.gate_out[g] >= gate.capacity:
            out.append(
                Binding(
                    "RESERVE",
                    f"{gate.park_id}/{gate.resource_type}",
                    f"park {gate.park_id} keeps {gate.minimum} {gate.resource_type} at home; {usage.gate_out[g]:g} of {gate.home} already leave the park",
                )
            )
    return out


def _agreements(problem: Problem, usage: _Usage, line: Line) -> list[Binding]:
    used = [problem.sources[problem.unit_source[u]] for u in usage.line_units.get(line.index, [])]
    used += [problem.sources[src] for src in usage.line_stock.get(line.index, {})]
    # Shared depots need no agreement; committed units stay with their incident.
    parks = {s.park for s in used if not s.shared and s.committed != line.incident}
    out = []
    for p in sorted(x for x in parks if x >= 0 and line.park >= 0 and x != line.park):
        limit = max(problem.aid_limit.get((p, line.park, line.resource_type), -1), problem.aid_limit.get((p, line.park, "*"), -1))
        if limit < 0:
            continue
        out.append(
            Binding(
                "AGREEMENT",
                f"{problem.parks[p]}->{problem.parks[line.park]}",
                f"mutual aid from park {problem.parks[p]} covers {line.resource_type} within {limit / 60:g} min",
            )
        )
    return out


def _unmet_reason(problem: Problem, usage: _Usage, line: Line, delivered: float) -> str | None:
    if delivered >= line.requested - 1e-9:
        return None
    c = problem.candidates[line.index]
    if len(c.src) == 0:
        return f"no {line.resource_type} source may serve this line (see excluded sources)"
    users = sorted(
        {
            problem.lines[usage.unit_line[u]].incident_id
            for s in c.src.tolist()
            for u in problem.sources[s].ids
            if u in usage.unit_line and usage.unit_line[u] != line.index
        }
    )
    text = f"{line.requested - delivered:g} {line.resource_type} short: every eligible source is in use"
    if users:
        text += f" (by {', '.join(users[:5])})"
    held = [g for g in {int(x) for x in c.gate.tolist() if x >= 0} if usage.gate_out[g] >= problem.gates[g].capacity]
    if held:
        text += "; reserves hold the rest at " + ", ".join(sorted(problem.gates[g].park_id for g in held))
    return text


def explain(problem: Problem, plan: Plan) -> tuple[IncidentExplanation, ...]:
    """Explain a plan incident by incident."""
    usage = _Usage(problem, plan)
    by_incident: dict[int, list[Line]] = defaultdict(list)
    for line in problem.lines:
        by_incident[line.incident].append(line)
    out = []
    for n, incident in enumerate(problem.request.incidents):
        lines = []
        bindings: list[Binding] = []
        for line in by_incident[n]:
            if line.kind is ResourceKind.UNIT:
                choices, completion = _unit_line(problem, usage, line)
            else:
                choices, completion = _stock_line(problem, usage, line)
            delivered = sum(ch.amount for ch in choices)
            unmet = delivered < line.requested - 1e-9
            horizon = float("inf") if unmet else completion
            bindings += _excluded(problem, line, horizon)
            bindings += _gates(problem, usage, line, horizon)
            bindings += _agreements(problem, usage, line)
            lines.append(
                LineExplanation(
                    demand_index=line.demand_index,
                    resource_type=line.resource_type,
                    requested=line.requested,
                    delivered=delivered,
                    completion_s=completion,
                    choices=tuple(choices),
                    unmet_reason=_unmet_reason(problem, usage, line, delivered),
                )
            )
        out.append(IncidentExplanation(incident.id, tuple(lines), tuple(dict.fromkeys(bindings))))
    return tuple(out)
