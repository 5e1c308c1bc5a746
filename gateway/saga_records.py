"""What a commit saga keeps on its row: step names, held reservations, and the answers it gives without working."""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
from dataclasses import dataclass
from typing import Any

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway.tables import SagaRow
from services.common.errors import ServiceError, aborted

log = logging.getLogger(__name__)

RUNNING, DONE, COMPENSATED = "RUNNING", "DONE", "COMPENSATED"
# Steps in order; from CONFIRMING on, units may be on their way and the saga only rolls forward.
STEPS = ("STARTED", "RESERVING", "RESERVED", "CONFIRMING", "CONFIRMED", "TRANSITIONING", "TRANSITIONED")
FORWARD_ONLY = frozenset(STEPS[3:])
HELD, CONFIRMED, RELEASED, LOST = "HELD", "CONFIRMED", "RELEASED", "LOST"
RESERVED_MEMORY = 20_000
TRANSIENT = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
)


class StalePlan(Exception):
    """The reservation was refused because availability moved on since the plan was made."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass
class Held:
    """One reservation the saga made, as recorded in the saga row."""

    incident: str
    reservation: str
    state: str
    units: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"incident": self.incident, "reservation": self.reservation, "state": self.state, "units": self.units}


class SagaBusy(Exception):
    """Another gateway replica holds a live lease on the saga: it is running the commit now."""

    def __init__(self, owner: str) -> None:
        super().__init__(f"the commit is running on gateway replica {owner}")
        self.owner = owner


class AlreadyCommitted(Exception):
    """Another request committed the proposal already: its answer stands, and nothing more is sent."""

    def __init__(self, owner: SagaRow) -> None:
        super().__init__(f"proposals/{owner.first_proposal_id} was committed by request {owner.request_id}")
        # Read now: the row leaves its session when the transaction that found it rolls back.
        self.request_id, self.proposal, self.state, self.response = owner.request_id, owner.first_proposal_id, owner.state, owner.response

    def answer(self) -> gpb.CommitPlanResponse:
        """The first commit's answer, marked ALREADY_COMMITTED (or ABORTED while that commit is still running)."""
        if self.state != DONE:
            raise aborted(
                "COMMIT_IN_PROGRESS",
                f"proposals/{self.proposal} is being committed by request {self.request_id}; retry to get its answer",
                {"request_id": self.request_id[:128]},
            )
        response = gpb.CommitPlanResponse.FromString(self.response)
        response.outcome = gpb.CommitPlanResponse.OUTCOME_ALREADY_COMMITTED
        response.commit_request_id = self.request_id
        return response


def encode(message: Any) -> str:
    """A message as text for a step record."""
    return base64.b64encode(message.SerializeToString()).decode()


def decode(text: str) -> bytes:
    """The bytes of a message recorded by encode."""
    return base64.b64decode(text)


def held_list(saga: SagaRow) -> list[Held]:
    """The reservations recorded on a saga."""
    return [Held(**item) for item in json.loads(saga.reservations)]


def dump_held(items: list[Held]) -> str:
    """The JSON kept on the saga row."""
    return json.dumps([h.as_dict() for h in items], sort_keys=True)


def exit_hard(step: str) -> None:
    """Fault injection: die at once, as a crash would, leaving the saga where it is."""
    log.error("fault injection: killing the gateway after saga step %s", step)
    os.kill(os.getpid(), signal.SIGKILL)
