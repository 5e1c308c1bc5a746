"""Reading one MQTT message: its topic, its JSON payload against the published schema, and why it is refused."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema

from services.common.names import DETECTOR, LONG_ID, NamePattern

SCHEMA_PATH = Path(__file__).with_name("alarm.schema.json")
LIVE_TOPIC = NamePattern(f"{DETECTOR.template}/alarms")
DRILL_TOPIC = NamePattern(f"drills/{{exercise}}/{DETECTOR.template}/alarms", {"exercise": LONG_ID})
SUBSCRIPTIONS = ("parks/+/detectors/+/alarms", "drills/+/parks/+/detectors/+/alarms")
MAX_PAYLOAD = 4096
LEVELS = ("normal", "pre_alarm", "alarm")


@dataclass(frozen=True, slots=True)
class Message:
    """What a message says, as far as it could be read; `reason` is set when it is refused."""

    topic: str
    message_id: str
    exercise_id: str = ""
    topic_park: str = ""
    detector: str = ""
    level: str = ""
    reading: float = 0.0
    unit: str = ""
    time: datetime | None = None
    text: str = ""
    reason: str = ""
    detail: str = ""


@cache
def validator() -> Callable[[Any], Any]:
    """The published JSON Schema, compiled once (fastjsonschema generates the checking code)."""
    return fastjsonschema.compile(json.loads(SCHEMA_PATH.read_text()))


def digest(topic: str, payload: bytes) -> str:
    """A message id for a payload that carries none: the same bytes on the same topic are the same message."""
    return "sha256:" + hashlib.sha256(topic.encode() + b"\0" + payload).hexdigest()[:32]


def _refused(topic: str, message_id: str, reason: str, detail: str, **known: Any) -> Message:
    """A refused message with its reason."""
    return Message(topic=topic, message_id=message_id, reason=reason, detail=detail[:500], **known)


def read(topic: str, payload: bytes, *, received: datetime, max_skew_s: float) -> Message:
    """Parse and check one message; every failure is a Message with an UPPER_SNAKE reason, never an exception."""
    live, drill = LIVE_TOPIC.match(topic), DRILL_TOPIC.match(topic)
    exercise_id, topic_park, topic_detector = drill if drill else ("", *live) if live else ("", "", "")
    if len(payload) > MAX_PAYLOAD:
        return _refused(topic, digest(topic, payload), "BAD_PAYLOAD", f"payload of {len(payload)} bytes; at most {MAX_PAYLOAD}", exercise_id=exercise_id)
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _refused(topic, digest(topic, payload), "BAD_PAYLOAD", f"not UTF-8 JSON: {exc}", exercise_id=exercise_id)
    message_id = document.get("message_id") if isinstance(document, dict) else None
    if not isinstance(message_id, str) or not message_id or len(message_id) > 128:
        message_id = digest(topic, payload)
    known: dict[str, Any] = {"exercise_id": exercise_id, "topic_park": topic_park}
    if isinstance(document, dict) and isinstance(document.get("detector"), str):
        known["detector"] = document["detector"][:200]
    try:
        validator()(document)
    except fastjsonschema.JsonSchemaValueException as error:
        detail = error.message.replace("data.", "", 1) if error.message.startswith("data.") else "payload" + error.message.removeprefix("data")
        return _refused(topic, message_id, "SCHEMA_VIOLATION", detail, **known)
    if not math.isfinite(float(document["reading"])):
        return _refused(topic, message_id, "SCHEMA_VIOLATION", "reading: must be a finite number", **known)
    try:
        measured = datetime.fromisoformat(document["time"].replace("Z", "+00:00"))
    except ValueError as exc:
        return _refused(topic, message_id, "SCHEMA_VIOLATION", f"time: {exc}", **known)
    if measured.tzinfo is None:
        return _refused(topic, message_id, "SCHEMA_VIOLATION", "time: needs a UTC offset, e.g. 2026-01-05T08:00:00Z", **known)
    measured = measured.astimezone(UTC)
    if (measured - received).total_seconds() > max_skew_s:
        return _refused(topic, message_id, "TIME_IN_FUTURE", f"measured at {measured.isoformat()}, received at {received.isoformat()}", **known)
    if not (live or drill):
        return _refused(topic, message_id, "BAD_TOPIC", "expected parks/{park}/detectors/{detector}/alarms or drills/{exercise}/parks/...", **known)
    found = Message(
        topic=topic,
        message_id=message_id,
        exercise_id=exercise_id,
        topic_park=topic_park,
        detector=document["detector"],
        level=document["level"],
        reading=float(document["reading"]),
        unit=document["unit"],
        time=measured,
        text=document.get("message", ""),
    )
    if DETECTOR.match(found.detector) != (topic_park, topic_detector):
        return _refused(topic, message_id, "PARK_MISMATCH", f"{found.detector} was published under {DETECTOR.format(topic_park, topic_detector)}", **known)
    return found
