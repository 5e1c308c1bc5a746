"""What the gateway did to an incident's units and holds (its own record), and request-id replay of lifecycle calls."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from google.protobuf.message import Message
from sqlalchemy import Column, Engine, Text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from gateway import store
from gateway.names import derive_request_id
from services.common.db import run_in_thread, session_scope
from services.common.idempotency import M, remember, replay, request_fingerprint
from services.common.outbox import utcnow


class ActivityRow(SQLModel, table=True):
    """One step the gateway took for an incident: a unit moved, a hold released, a report stored."""

    __tablename__ = "gateway_incident_activity"

    id: int | None = Field(default=None, primary_key=True)
    incident: str = Field(max_length=100, index=True)
    exercise_id: str = Field(default="", max_length=100)
    action: str = Field(max_length=40)
    subject: str = Field(default="", max_length=200)
    actor: str = Field(default="", max_length=200)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    time: datetime = Field(default_factory=utcnow)


TABLES: Sequence[type[SQLModel]] = (ActivityRow,)


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

        def write() -> None:
            with session_scope(self._engine) as session:
                for step in steps:
                    session.add(ActivityRow(incident=step.incident, exercise_id=step.exercise_id, action=step.action, subject=step.subject, actor=actor, note=step.note[:2000]))
                    store.emit(session, f"incident.{step.action.lower()}", step.subject or step.incident, exercise_id=step.exercise_id,
                               payload={"incident": step.incident, "action": step.action, "actor": actor, "note": step.note[:500]})

        await run_in_thread(write)
        self._on_commit()

    async def of(self, incident: str) -> list[ActivityRow]:
        """Every step recorded for the incident, oldest first."""

        def read() -> list[ActivityRow]:
            with Session(self._engine) as session:
                return list(session.exec(select(ActivityRow).where(ActivityRow.incident == incident).order_by(col(ActivityRow.id))).all())

        return await run_in_thread(read)

    async def commits(self, exercise_id: str, incidents: Sequence[str]) -> list[store.CommitRow]:
        """Committed plans of the incidents, oldest first."""

        def read() -> list[store.CommitRow]:
            with Session(self._engine) as session:
                return store.commits_for(session=session, exercise_id=exercise_id, incidents=incidents)

        return await run_in_thread(read)

    async def saga_subject(self, request_id: str) -> str:
        """Who made the commit of a request id ("" if unknown)."""

        def read() -> str:
            with Session(self._engine) as session:
                saga = store.get_saga(session=session, request_id=request_id)
                return saga.subject if saga is not None else ""

        return await run_in_thread(read)

    async def saga_releases(self, reservations: Sequence[str]) -> list[tuple[datetime, str, str]]:
        """(time, reservation, who) for each of the reservations a commit released when it was compensated."""
        wanted = set(reservations)
        if not wanted:
            return []

        def read() -> list[tuple[datetime, str, str]]:
            with Session(self._engine) as session:
                steps = session.exec(
                    select(store.SagaStepRow, store.SagaRow.subject)
                    .join(store.SagaRow, col(store.SagaRow.request_id) == col(store.SagaStepRow.request_id))
                    .where(store.SagaStepRow.step == "RELEASE", store.SagaStepRow.status == "done")
                ).all()
                found = []
                for step, subject in steps:
                    reservation = str(json.loads(step.detail).get("reservation", ""))
                    if reservation in wanted:
                        found.append((step.time, reservation, subject))
                return found

        return await run_in_thread(read)

    async def once(self, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[], Awaitable[M]]) -> M:
        """The stored answer of an earlier call with this request id, else do the work and store its answer."""
        fingerprint = request_fingerprint(method, request)

        def stored() -> bytes | None:
            with Session(self._engine) as session:
                return replay(session, method, request_id, fingerprint)

        earlier = await run_in_thread(stored)
        if earlier is not None:
            return response_type.FromString(earlier)
        response = await work()

        def keep() -> M:
            try:
                with session_scope(self._engine) as session:
                    remember(session, method, request_id, fingerprint, response)
            except IntegrityError:
                with Session(self._engine) as session:
                    first = replay(session, method, request_id, fingerprint)
                if first is not None:
                    return response_type.FromString(first)
                raise
            return response

        return await run_in_thread(keep)

    async def checkpoint(self, method: str, stage: str, request: Message, request_id: str, partial: Message) -> None:
        """Keep what a call has done up to a stage, so a retry with the same request id resumes there."""
        fingerprint = request_fingerprint(method, request)

        def keep() -> None:
            try:
                with session_scope(self._engine) as session:
                    remember(session, f"{method}:{stage}", derive_request_id(request_id, f"{method}-{stage}"), fingerprint, partial)
            except IntegrityError:  # an earlier try reached this stage already
                pass

        await run_in_thread(keep)

    async def resumed(self, method: str, stage: str, request: Message, request_id: str, partial_type: type[M]) -> M | None:
        """What an earlier try with this request id had done up to the stage, None if it never got there."""
        fingerprint = request_fingerprint(method, request)

        def read() -> bytes | None:
            with Session(self._engine) as session:
                return replay(session, f"{method}:{stage}", derive_request_id(request_id, f"{method}-{stage}"), fingerprint)

        kept = await run_in_thread(read)
        return None if kept is None else partial_type.FromString(kept)
