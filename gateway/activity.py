"""What the gateway did to an incident's units and holds (its own record), and request-id replay of lifecycle calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import Message
from sqlalchemy import Engine

from gateway import store
from gateway.names import derive_request_id
from gateway.tables import ActivityRow, CommitRow
from services.common.db import run_in_thread
from services.common.idempotency import M, request_fingerprint


@dataclass(frozen=True)
class Step:
    """One activity to record."""

    incident: str
    action: str
    subject: str
    note: str = ""
    exercise_id: str = ""


class Activity:
    """Writes and reads the activity record, and replays lifecycle answers by request id."""

    def __init__(self, engine: Engine, on_commit: Callable[[], None] = lambda: None) -> None:
        self._engine = engine
        self._on_commit = on_commit

    async def record(self, steps: Sequence[Step], actor: str) -> None:
        """Append the steps (with an event each) in one transaction."""
        if not steps:
            return
        rows = [ActivityRow(incident=s.incident, exercise_id=s.exercise_id, action=s.action, subject=s.subject, actor=actor, note=s.note[:2000]) for s in steps]
        await run_in_thread(store.record_activity, self._engine, rows)
        self._on_commit()

    async def of(self, incident: str) -> list[ActivityRow]:
        """Every step recorded for the incident, oldest first."""
        return await run_in_thread(store.activity_of, self._engine, incident)

    async def commits(self, exercise_id: str, incidents: Sequence[str]) -> list[CommitRow]:
        """Committed plans of the incidents, oldest first."""
        return await run_in_thread(store.committed_plans, self._engine, exercise_id, incidents)

    async def saga_subject(self, request_id: str) -> str:
        """Who made the commit of a request id ("" if unknown)."""
        return await run_in_thread(store.saga_subject, self._engine, request_id)

    async def saga_releases(self, reservations: Sequence[str]) -> list[tuple[datetime, str, str]]:
        """(time, reservation, who) for each of the reservations a commit released when it was compensated."""
        return await run_in_thread(store.saga_releases, self._engine, reservations)

    async def once(self, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[], Awaitable[M]]) -> M:
        """The stored answer of an earlier call with this request id, else do the work and store its answer."""
        fingerprint = request_fingerprint(method, request)
        earlier = await run_in_thread(store.replayed, self._engine, method, request_id, fingerprint)
        if earlier is not None:
            return response_type.FromString(earlier)
        response = await work()
        first = await run_in_thread(store.remember_answer, self._engine, method, request_id, fingerprint, response)
        return response if first is None else response_type.FromString(first)

    async def checkpoint(self, method: str, stage: str, request: Message, request_id: str, partial: Message) -> None:
        """Keep what a call has done up to a stage, so a retry with the same request id resumes there."""
        fingerprint = request_fingerprint(method, request)
        await run_in_thread(store.remember_stage, self._engine, f"{method}:{stage}", derive_request_id(request_id, f"{method}-{stage}"), fingerprint, partial)

    async def resumed(self, method: str, stage: str, request: Message, request_id: str, partial_type: type[M]) -> M | None:
        """What an earlier try with this request id had done up to the stage, None if it never got there."""
        fingerprint = request_fingerprint(method, request)
        kept = await run_in_thread(store.replayed, self._engine, f"{method}:{stage}", derive_request_id(request_id, f"{method}-{stage}"), fingerprint)
        return None if kept is None else partial_type.FromString(kept)
