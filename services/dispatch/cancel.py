"""Stopping a running solve from another thread, e.g. when the caller has gone away."""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model
from ortools.util.python import solve_interrupter


class Cancellation:
    """A flag the solver stages check, which also stops the CP-SAT search in progress."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._solver: cp_model.CpSolver | None = None
        self._interrupter: solve_interrupter.SolveInterrupter | None = None

    @property
    def cancelled(self) -> bool:
        """True once cancel() has been called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Ask the solve to stop as soon as it can; the best plan so far is still returned."""
        with self._lock:
            self._event.set()
            if self._solver is not None:
                self._solver.stop_search()
            if self._interrupter is not None:
                self._interrupter.interrupt()

    def attach(self, solver: cp_model.CpSolver | solve_interrupter.SolveInterrupter) -> bool:
        """Register the CP-SAT solver (or a MathOpt solve's interrupter) about to run; False if the solve is cancelled already."""
        with self._lock:
            if self._event.is_set():
                return False
            if isinstance(solver, cp_model.CpSolver):
                self._solver = solver
            else:
                self._interrupter = solver
            return True

    def detach(self) -> None:
        """Forget the solver after its run."""
        with self._lock:
            self._solver = None
            self._interrupter = None
