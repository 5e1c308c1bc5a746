"""The request turned into solver-ready data: demand lines, sources, gates and eligible candidates.

Units that are interchangeable (same type, capabilities, home park, home depot, vehicle class,
travel row, not committed) form one source with a count; each depot stock line is one source
with an amount. Consumable amounts are handled in whole units of measure: demands are rounded
up and stock is rounded down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from services.common.catalogue import ResourceKind
from services.dispatch.catalogue import CAPABILITIES, kind_of
from services.dispatch.model import DispatchRequest
from services.dispatch.travel import IntArray, TravelTable, travel_table

CAP_BITS: dict[str, int] = {tag: 1 << n for n, tag in enumerate(sorted(CAPABILITIES))}

NOT_COMMITTED = -2
COMMITTED_ELSEWHERE = -1

# Reason codes for a source that may not serve a line (0 = eligible).
ELIGIBLE = 0
CAPABILITY = 1
COMMITTED = 2
NO_AGREEMENT = 3
AID_TRAVEL_LIMIT = 4
NEEDED_WITHIN = 5
REASON_NAMES = {
    CAPABILITY: "CAPABILITY",
    COMMITTED: "COMMITTED",
    NO_AGREEMENT: "NO_AGREEMENT",
    AID_TRAVEL_LIMIT: "AID_TRAVEL_LIMIT",
    NEEDED_WITHIN: "NEEDED_WITHIN",
}


@dataclass(frozen=True)
class Line:
    """One demand line in solver units."""

    index: int
    incident: int
    incident_id: str
    demand_index: int
    resource_type: str
    kind: ResourceKind
    quantity: int
    requested: float
    required_mask: int
    within_s: int | None
    weight: float
    park: int


@dataclass(frozen=True)
class Source:
    """A group of interchangeable units or one depot stock."""

    index: int
    kind: ResourceKind
    resource_type: str
    ids: tuple[str, ...]
    capacity: int
    park: int
    cap_mask: int
    committed: int
    row: int
    shared: bool = False


@dataclass(frozen=True)
class Gate:
    """Reserve of one park and type: at most `capacity` may leave for outside incidents."""

    index: int
    park_id: str
    resource_type: str
    home: int
    minimum: int

    @property
    def capacity(self) -> int:
        """What may leave the park without eating into the reserve."""
        return max(0, self.home - self.minimum)


@dataclass
class LineCandidates:
    """Eligible sources of one line, sorted by travel time then source index."""

    src: IntArray
    eta: IntArray
    gate: IntArray
    move: npt.NDArray[np.bool_]
    cap: IntArray


@dataclass(frozen=True)
class SourceTable:
    """Source attributes as arrays indexed by source, so eligibility is vectorised per line."""

    row: IntArray
    mask: IntArray
    park: IntArray
    committed: IntArray
    shared: npt.NDArray[np.bool_]

    @staticmethod
    def of(sources: list[Source]) -> SourceTable:
        """Arrays of the given sources, in index order."""
        n = len(sources)
        return SourceTable(
            row=np.fromiter((s.row for s in sources), dtype=np.int64, count=n),
            mask=np.fromiter((s.cap_mask for s in sources), dtype=np.int64, count=n),
            park=np.fromiter((s.park for s in sources), dtype=np.int64, count=n),
            committed=np.fromiter((s.committed for s in sources), dtype=np.int64, count=n),
            shared=np.fromiter((s.shared for s in sources), dtype=np.bool_, count=n),
        )


@dataclass
class Problem:
    """Everything the planners share about one request."""

    request: DispatchRequest
    travel: TravelTable
    parks: tuple[str, ...]
    lines: list[Line]
    sources: list[Source]
    gates: list[Gate]
    candidates: list[LineCandidates]
    unit_source: dict[str, int] = field(default_factory=dict)
    stock_source: dict[tuple[str, str], int] = field(default_factory=dict)
    incident_index: dict[str, int] = field(default_factory=dict)
    gate_of: dict[tuple[int, str], int] = field(default_factory=dict)
    aid_limit: dict[tuple[int, int, str], int] = field(default_factory=dict)
    line_index: dict[tuple[str, int], int] = field(default_factory=dict)
    # Per-source attribute arrays for `reasons` (built once; a renumbered copy must reset it to None).
    source_table: SourceTable | None = field(default=None, repr=False, compare=False)

    def table(self) -> SourceTable:
        """Row, capability mask, park, commitment and shared flag of every source, as arrays."""
        if self.source_table is None or len(self.source_table.row) != len(self.sources):
            self.source_table = SourceTable.of(self.sources)
        return self.source_table

    def eta(self, source: int, incident: int) -> int:
        """Travel seconds of a source to an incident."""
        s = self.sources[source]
        table = self.travel.unit_s if s.kind is ResourceKind.UNIT else self.travel.depot_s
        return int(table[s.row, incident])


def _mask(tags: tuple[str, ...] | frozenset[str]) -> int:
    out = 0
    for tag in tags:
        out |= CAP_BITS.get(tag, 0)
    return out


def _lines(request: DispatchRequest, park_index: dict[str, int]) -> list[Line]:
    lines: list[Line] = []
    for n, inc in enumerate(request.incidents):
        for k, dem in enumerate(inc.demands):
            kind = kind_of(dem.resource_type) or ResourceKind.UNIT
            within = None if dem.needed_within_min is None else math.floor(dem.needed_within_min * 60 + 1e-9)
            lines.append(
                Line(
                    index=len(lines),
                    incident=n,
                    incident_id=inc.id,
                    demand_index=k,
                    resource_type=dem.resource_type,
                    kind=kind,
                    quantity=math.ceil(dem.quantity - 1e-9),
                    requested=float(dem.quantity),
                    required_mask=_mask(dem.required_capabilities),
                    within_s=within,
                    weight=float(inc.severity_weight),
                    park=park_index.get(inc.park_id, -1) if inc.park_id else -1,
                )
            )
    return lines


def _sources(request: DispatchRequest, travel: TravelTable, park_index: dict[str, int], problem: Problem) -> None:
    incident_index = problem.incident_index
    shared = set(request.shared_depots)
    groups: dict[tuple[object, ...], list[int]] = {}
    for n, unit in enumerate(request.units):
        if unit.committed_to is not None:
            groups[("committed", unit.id)] = [n]
            continue
        key = (unit.resource_type, frozenset(unit.capabilities), unit.home_park, unit.home_depot, unit.vehicle_class, travel.unit_s[n].tobytes())
        groups.setdefault(key, []).append(n)
    for members in groups.values():
        first = request.units[members[0]]
        committed = NOT_COMMITTED if first.committed_to is None else incident_index.get(first.committed_to, COMMITTED_ELSEWHERE)
        ids = tuple(sorted(request.units[m].id for m in members))
        src = Source(
            index=len(problem.sources),
            kind=ResourceKind.UNIT,
            resource_type=first.resource_type,
            ids=ids,
            capacity=len(members),
            park=park_index[first.home_park] if first.home_park else -1,
            cap_mask=_mask(tuple(first.capabilities)),
            committed=committed,
            row=members[0],
            shared=first.home_depot is not None and first.home_depot in shared,
        )
        problem.sources.append(src)
        for m in members:
            problem.unit_source[request.units[m].id] = src.index
    for stock in request.stocks:
        src = Source(
            index=len(problem.sources),
            kind=ResourceKind.CONSUMABLE,
            resource_type=stock.resource_type,
            ids=(stock.depot_id,),
            capacity=math.floor(stock.amount + 1e-9),
            park=park_index[stock.park_id] if stock.park_id else -1,
            cap_mask=0,
            committed=NOT_COMMITTED,
            row=travel.depot_row(stock.depot_id),
            shared=stock.depot_id in shared,
        )
        problem.sources.append(src)
        problem.stock_source[(stock.depot_id, stock.resource_type)] = src.index


def _gates(request: DispatchRequest, park_index: dict[str, int], problem: Problem) -> None:
    home: dict[tuple[int, str], int] = {}
    for src in problem.sources:
        if src.park >= 0 and src.committed == NOT_COMMITTED:
            key = (src.park, src.resource_type)
            home[key] = home.get(key, 0) + src.capacity
    for res in request.policies.reserves:
        minimum = math.ceil(res.minimum - 1e-9)
        if minimum <= 0:
            continue
        gate_key = (park_index[res.park_id], res.resource_type)
        gate = Gate(len(problem.gates), res.park_id, res.resource_type, home.get(gate_key, 0), minimum)
        problem.gates.append(gate)
        problem.gate_of[gate_key] = gate.index
    for agr in request.policies.agreements:
        lender, borrower = park_index[agr.lender_park], park_index[agr.borrower_park]
        limit = math.floor(agr.max_travel_min * 60 + 1e-9)
        types = agr.resource_types or ("*",)
        for rtype in types:
            aid_key = (lender, borrower, rtype)
            problem.aid_limit[aid_key] = max(problem.aid_limit.get(aid_key, -1), limit)


def reasons(problem: Problem, line: Line, srcs: IntArray) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]:
    """Reason code, travel seconds, gate index and move flag of each source for a line."""
    sources = problem.sources
    opts = problem.request.options
    n = len(srcs)
    reason = np.zeros(n, dtype=np.int64)
    eta = np.empty(n, dtype=np.int64)
    gate = np.full(n, -1, dtype=np.int64)
    move = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return reason, eta, gate, move
    kind = sources[int(srcs[0])].kind
    table = problem.travel.unit_s if kind is ResourceKind.UNIT else problem.travel.depot_s
    attrs = problem.table()
    eta[:] = table[attrs.row[srcs], line.incident]
    masks = attrs.mask[srcs]
    parks = attrs.park[srcs]
    committed = attrs.committed[srcs]
    shared = attrs.shared[srcs]
    staying = committed == line.incident
    free = committed == NOT_COMMITTED
    if opts.allow_move_committed:
        move = ~free & ~staying
    else:
        reason[~free & ~staying] = COMMITTED
    # Shared depots serve every park without an agreement (their park's reserve still applies).
    same = staying | shared | (parks < 0) | (line.park < 0) | (parks == line.park)
    # Per-park tables (index -1 = no park, the last entry), looked up once per line rather than per park.
    parks_n = len(problem.parks)
    limits = np.full(n, -1, dtype=np.int64)
    if line.park >= 0:
        aid = problem.aid_limit
        by_park = np.array(
            [max(aid.get((p, line.park, line.resource_type), -1), aid.get((p, line.park, "*"), -1)) for p in range(parks_n)] + [-1], dtype=np.int64
        )
        limits = by_park[parks]
    cross_bad = ~same & (limits < 0)
    too_far = ~same & (limits >= 0) & (eta > limits)
    if line.within_s is not None:
        reason[(reason == 0) & (eta > line.within_s)] = NEEDED_WITHIN
    reason[(reason == 0) & too_far] = AID_TRAVEL_LIMIT
    reason[(reason == 0) & cross_bad] = NO_AGREEMENT
    if line.required_mask:
        reason[(masks & line.required_mask) != line.required_mask] = CAPABILITY
    out_of_park = free & (parks >= 0) & (parks != line.park)
    if problem.gate_of:
        gate_by_park = np.array([problem.gate_of.get((p, line.resource_type), -1) for p in range(parks_n)] + [-1], dtype=np.int64)
        gate = np.where(out_of_park, gate_by_park[parks], -1)
    return reason, eta, gate, move


def _candidates(problem: Problem) -> None:
    by_type: dict[str, list[int]] = {}
    for src in problem.sources:
        if src.capacity > 0:
            by_type.setdefault(src.resource_type, []).append(src.index)
    arrays = {t: np.array(v, dtype=np.int64) for t, v in by_type.items()}
    for line in problem.lines:
        srcs = arrays.get(line.resource_type, np.zeros(0, dtype=np.int64))
        reason, eta, gate, move = reasons(problem, line, srcs)
        ok = reason == ELIGIBLE
        order = np.lexsort((srcs[ok], eta[ok]))
        chosen = srcs[ok][order]
        caps = np.fromiter((problem.sources[s].capacity for s in chosen), dtype=np.int64, count=len(chosen))
        problem.candidates.append(
            LineCandidates(src=chosen, eta=eta[ok][order], gate=gate[ok][order], move=move[ok][order], cap=np.minimum(caps, line.quantity))
        )


def build_problem(request: DispatchRequest, travel: TravelTable | None = None) -> Problem:
    """Prepare a validated request for the planners."""
    travel = travel if travel is not None else travel_table(request)
    parks = tuple(request.parks)
    park_index = {p: n for n, p in enumerate(parks)}
    problem = Problem(request=request, travel=travel, parks=parks, lines=[], sources=[], gates=[], candidates=[])
    problem.incident_index = {inc.id: n for n, inc in enumerate(request.incidents)}
    problem.lines = _lines(request, park_index)
    problem.line_index = {(line.incident_id, line.demand_index): line.index for line in problem.lines}
    _sources(request, travel, park_index, problem)
    _gates(request, park_index, problem)
    _candidates(problem)
    return problem
