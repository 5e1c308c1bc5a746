"""Stopping a running solve from another thread, e.g. when the caller has gone away."""

from __future__ import annotations

import threading
from typing import TypeAlias

from ortools.sat.python import cp_model
from ortools.util.python import solve_interrupter

Stoppable: TypeAlias = cp_model.CpSolver | solve_interrupter.SolveInterrupter


class Cancellation:
    """A flag the solver stages check, which also stops the searches in progress.

    Parts of one request may be solved in several threads at once: each thread registers its own
    solver, and cancelling stops all of them.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._running: dict[int, list[Stoppable]] = {}

    @property
    def cancelled(self) -> bool:
        """True once cancel() has been called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Ask the solve to stop as soon as it can; the best plan so far is still returned."""
        with self._lock:
            self._event.set()
            for solvers in self._running.values():
                for solver in solvers:
                    if isinstance(solver, cp_model.CpSolver):
                        solver.stop_search()
                    else:
                        solver.interrupt()

    def attach(self, solver: Stoppable) -> bool:
        """Register the CP-SAT solver (or a MathOpt solve's interrupter) this thread is about to run; False if cancelled already."""
        with self._lock:
            if self._event.is_set():
                return False
            self._running.setdefault(threading.get_ident(), []).append(solver)
            return True

    def detach(self) -> None:
        """Forget the solvers this thread registered, after their run."""
        with self._lock:
            self._running.pop(threading.get_ident(), None)
