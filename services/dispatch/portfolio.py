"""HiGHS's MIP of the completion tier, run in a thread so that a cancelled call need not wait for it.

On requests (or parts) small enough to keep every candidate, the MIP over the same model proves
optima that CP-SAT's search does not reach in the time limit, and its dual bound holds for the
request. HiGHS through MathOpt does not honour interrupts, so when the call is cancelled the MIP is
abandoned: its thread ends by itself at its time limit (never past the request's).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import DispatchModel
from services.dispatch.flow_conversion import Flows
from services.dispatch.mip import LastArrivalMip, MipResult

# Above this many candidates (or when any was pruned) the MIP is not run.
MIP_MAX_CANDIDATES = 3000

logger = logging.getLogger(__name__)


@dataclass
class MipRun:
    """A MIP solve running in its own thread."""

    thread: threading.Thread
    cancel: Cancellation
    result: MipResult | None = None
    error: BaseException | None = None

    def abandon(self) -> None:
        """Stop waiting for the MIP (and ask it to stop, in case the solver honours it)."""
        self.cancel.cancel()

    def wait(self, cancel: Cancellation, poll_s: float = 0.05) -> MipResult | None:
        """Wait for the MIP, abandoning it if `cancel` fires first."""
        while self.thread.is_alive():
            if cancel.cancelled:
                self.abandon()
                return None
            self.thread.join(poll_s)
        return self.join()

    def join(self) -> MipResult | None:
        """Wait for the MIP unless it was abandoned; None when abandoned or failed (logged)."""
        if self.cancel.cancelled:
            return None
        self.thread.join()
        if self.error is not None:
            logger.warning("MIP solve failed: %s", self.error)
            return None
        return self.result


def mip_eligible(dm: DispatchModel) -> bool:
    """True when the MIP runs: nothing pruned and the model small."""
    return not dm.pruned and len(dm.candidates) <= MIP_MAX_CANDIDATES


def start_mip(dm: DispatchModel, best_unmet: int, best_short: int, deadline: float, hint: Flows) -> MipRun:
    """Start the completion-tier MIP (unmet tier and its tie-break held), to end by `deadline`."""
    run = MipRun(threading.Thread(target=lambda: None), Cancellation())

    def work() -> None:
        try:
            mip = LastArrivalMip(dm.problem, dm.unmet_coef, dm.wscale, best_unmet, best_short)
            run.result = mip.solve(deadline - time.perf_counter(), hint=hint, cancel=run.cancel)
        except BaseException as exc:  # reported by join(); the CP-SAT side goes on
            run.error = exc

    run.thread = threading.Thread(target=work, name="dispatch-mip", daemon=True)
    run.thread.start()
    return run
