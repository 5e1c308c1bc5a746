"""Tables of the alarm intake: every message received, the incidents alarms went into, suppressed detectors, stream positions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.clock import utcnow


def _ts(*, nullable: bool = False) -> datetime:
    """A timezone-aware timestamp column (UTC)."""
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)  # type: ignore[no-any-return]
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True))  # type: ignore[no-any-return]


class AlarmRow(SQLModel, table=True):
    """One message as received; PENDING until the correlator decides, then ACCEPTED, REJECTED, SUPPRESSED or CLEARED."""

    __tablename__ = "alarms"
    __table_args__ = (
        UniqueConstraint("topic", "message_id", name="uq_alarm_message"),
        Index("ix_alarms_state_seq", "state", "seq"),
        Index("ix_alarms_incident_noted", "incident", "noted"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=300)
    message_id: str = Field(max_length=128)
    exercise_id: str = Field(default="", max_length=63)
    detector: str = Field(default="", max_length=200)
    level: str = Field(default="", max_length=20)
    reading: float = 0.0
    unit: str = Field(default="", max_length=10)
    measured_at: datetime | None = _ts(nullable=True)
    received_at: datetime = _ts()
    text: str = Field(default="", max_length=500)
    state: str = Field(default="PENDING", max_length=20)
    reason: str = Field(default="", max_length=40)
    detail: str = Field(default="", max_length=500)
    incident: str = Field(default="", max_length=100)
    noted: bool = False
    decided_at: datetime | None = _ts(nullable=True)


class GroupRow(SQLModel, table=True):
    """An incident alarms went into: its namespace, substance, members and counts."""

    __tablename__ = "alarm_incidents"

    incident: str = Field(primary_key=True, max_length=100)
    exercise_id: str = Field(default="", max_length=63, index=True)
    park_id: str = Field(default="", max_length=63)
    substance_name: str = Field(default="", max_length=100)
    un_number: str = Field(default="", max_length=4)
    hazard_class: str = Field(default="", max_length=4)
    family: str = Field(default="", max_length=20)
    members: dict[str, list[float | str]] = Field(default_factory=dict, sa_type=JSON)  # detector -> [lat, lon, highest level]
    alarm_count: int = 0
    first_alarm_at: datetime = _ts()
    last_alarm_at: datetime = _ts()
    severity: str = Field(default="IV", max_length=3)
    opened_by_alarms: bool = True
    status: str = Field(default="OPEN", max_length=20)
    opened_at: datetime = _ts()


class SuppressionRow(SQLModel, table=True):
    """A detector whose alarms are recorded but open nothing until `until` (after a false alarm)."""

    __tablename__ = "suppressions"

    exercise_id: str = Field(primary_key=True, max_length=63)
    detector: str = Field(primary_key=True, max_length=200)
    until: datetime = _ts()
    incident: str = Field(default="", max_length=100)


class StreamPositionRow(SQLModel, table=True):
    """How far the intake has read an event stream."""

    __tablename__ = "stream_positions"

    stream: str = Field(primary_key=True, max_length=100)
    last_id: str = Field(max_length=40)


TABLES: list[type[SQLModel]] = [AlarmRow, GroupRow, SuppressionRow, StreamPositionRow]
