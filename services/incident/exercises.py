"""Whether an exercise exists and is still running, asked of the resources service that owns exercises."""

from __future__ import annotations

import time

import grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc

from services.common.client import open_channel
from services.common.errors import ServiceError, failed_precondition, unavailable

CHECK_TIMEOUT_S = 5.0


class ExerciseDirectory:
    """Checks exercise ids before an incident is written into one; active exercises are remembered for a while."""

    def __init__(self, resources_address: str, *, remember_s: float = 30.0) -> None:
        self._address = resources_address
        self._remember_s = remember_s
        self._channel: grpc.aio.Channel | None = None
        self._active: dict[str, float] = {}

    def _stub(self) -> rpb_grpc.ResourceServiceStub:
        """A stub on a channel opened at first use (the resources service may start after this one)."""
        if self._channel is None:
            self._channel = open_channel(self._address, default_timeout_s=CHECK_TIMEOUT_S)
        return rpb_grpc.ResourceServiceStub(self._channel)

    async def require_active(self, exercise_id: str, field: str = "exercise_id") -> None:
        """Nothing for live work (''); FAILED_PRECONDITION for an exercise that does not exist or has ended."""
        if not exercise_id:
            return
        if self._active.get(exercise_id, 0.0) > time.monotonic():
            return
        try:
            reply = await self._stub().GetExercise(rpb.GetExerciseRequest(name=f"exercises/{exercise_id}"))
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise failed_precondition("EXERCISE_NOT_FOUND", f"{field}: no exercise {exercise_id!r}", {"exercise_id": exercise_id}) from None
            if error.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED):
                raise ServiceError(error.code(), "EXERCISE_NOT_READABLE", f"{field}: exercise {exercise_id!r} cannot be read with these credentials") from None
            raise unavailable("EXERCISES_UNAVAILABLE", f"exercise {exercise_id!r} could not be checked: {error.code().name}") from None
        if not reply.exercise.active:
            raise failed_precondition("EXERCISE_ENDED", f"{field}: exercise {exercise_id!r} has ended", {"exercise_id": exercise_id})
        self._active[exercise_id] = time.monotonic() + self._remember_s

    async def close(self) -> None:
        """Close the channel, if one was opened."""
        if self._channel is not None:
            await self._channel.close(None)
            self._channel = None
