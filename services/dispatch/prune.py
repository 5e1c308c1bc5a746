"""Candidate pruning by cumulative capacity rather than a fixed nearest-N.

A line keeps its nearest candidates until their capacity covers `factor` times its quantity.
Capacity a group shares with other lines counts as its share (count / number of lines that
want it in a first pass), so lines in a cluster keep more groups. Every (line, source) a hint
plan uses is kept, so the pruned model always contains the hint.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from services.dispatch.problem import Problem
from services.dispatch.travel import IntArray

DEFAULT_FACTOR = 3.0
# Below this many candidates the full model is small enough to keep whole (and its bound exact).
KEEP_ALL_BELOW = 3000


def _prefix(caps: npt.NDArray[np.float64], need: float) -> int:
    """Number of leading candidates whose cumulative capacity first reaches need."""
    if len(caps) == 0:
        return 0
    reach = int(np.searchsorted(np.cumsum(caps), need - 1e-9))
    return min(len(caps), reach + 1)


def prune(problem: Problem, keep: Iterable[tuple[int, int]] = (), factor: float = DEFAULT_FACTOR) -> list[IntArray]:
    """Positions (into each line's candidate arrays) the CP-SAT model keeps."""
    if sum(len(c.src) for c in problem.candidates) <= KEEP_ALL_BELOW:
        return [np.arange(len(c.src), dtype=np.int64) for c in problem.candidates]
    gate_cap = np.array([g.capacity for g in problem.gates] + [1 << 40], dtype=np.float64)
    wanted = np.zeros(len(problem.sources))
    effective = []
    for line in problem.lines:
        c = problem.candidates[line.index]
        cap = np.minimum(c.cap.astype(np.float64), gate_cap[c.gate])
        effective.append(cap)
        n = _prefix(cap, factor * line.quantity)
        np.add.at(wanted, c.src[:n], 1.0)
    must: dict[int, set[int]] = {}
    for line_index, src in keep:
        must.setdefault(line_index, set()).add(src)
    kept: list[IntArray] = []
    for line in problem.lines:
        c = problem.candidates[line.index]
        shared = effective[line.index] / np.maximum(wanted[c.src], 1.0)
        n = _prefix(shared, factor * line.quantity)
        chosen = set(range(n))
        extra = must.get(line.index)
        if extra:
            chosen.update(int(p) for p in np.flatnonzero(np.isin(c.src, list(extra))))
        kept.append(np.array(sorted(chosen), dtype=np.int64))
    return kept
