"""Realistic alarm bursts (a release spreading downwind across detectors) and a QoS 1 publisher, for demos, drills, tests and the bench."""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from services.common.geo import great_circle_m


@dataclass(frozen=True, slots=True)
class Site:
    """A detector as the simulator sees it."""

    name: str
    latitude: float
    longitude: float
    unit: str
    pre_alarm: float
    alarm: float


@dataclass(frozen=True, slots=True)
class Published:
    """One message to publish."""

    topic: str
    payload: bytes
    message_id: str
    at: datetime


def topic_of(detector: str, exercise_id: str = "") -> str:
    """parks/{park}/detectors/{detector}/alarms, under drills/{exercise}/ inside an exercise."""
    base = f"{detector}/alarms"
    return f"drills/{exercise_id}/{base}" if exercise_id else base


def payload(detector: str, level: str, reading: float, unit: str, at: datetime, message_id: str, message: str = "") -> bytes:
    """A payload that follows services/alarms/alarm.schema.json."""
    body: dict[str, object] = {
        "message_id": message_id,
        "detector": detector,
        "level": level,
        "reading": round(reading, 3),
        "unit": unit,
        "time": at.isoformat(),
    }
    if message:
        body["message"] = message
    return json.dumps(body).encode()


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from one point to another, degrees from north."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360


def release(
    sites: Sequence[Site],
    *,
    source: tuple[float, float],
    wind_to_deg: float,
    wind_mps: float = 2.0,
    start: datetime,
    readings: int = 3,
    interval_s: float = 10.0,
    spread_deg: float = 60.0,
    exercise_id: str = "",
    tag: str = "",
) -> list[Published]:
    """Detectors downwind of the source (within the plume's spread) see the cloud arrive at distance / wind speed,
    pre-alarm first, then alarm, with readings falling off with distance; the messages come back in time order."""
    tag = tag or uuid.uuid4().hex[:8]
    out: list[Published] = []
    for site in sites:
        gap = great_circle_m(source[0], source[1], site.latitude, site.longitude)
        off_axis = abs((bearing_deg(source[0], source[1], site.latitude, site.longitude) - wind_to_deg + 180) % 360 - 180)
        if gap > 30 and off_axis > spread_deg / 2:
            continue
        arrival = start + timedelta(seconds=gap / max(wind_mps, 0.1))
        peak = site.alarm * (3.0 + 300.0 / (gap + 50.0))
        for k in range(readings):
            level, reading = ("pre_alarm", (site.pre_alarm + site.alarm) / 2) if k == 0 and readings > 1 else ("alarm", peak * (0.8 + 0.1 * k))
            message_id = f"sim-{tag}-{site.name.rsplit('/', 1)[-1]}-{k}"
            at = arrival + timedelta(seconds=k * interval_s)
            out.append(Published(topic_of(site.name, exercise_id), payload(site.name, level, reading, site.unit, at, message_id), message_id, at))
    return sorted(out, key=lambda p: p.at)


def connect(url: str, client_id: str = "") -> mqtt.Client:
    """A connected publisher (network loop running) for mqtt://[user:password@]host:port."""
    parsed = urlparse(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or f"sim-{uuid.uuid4().hex[:10]}", clean_session=True)
    if parsed.username:
        client.username_pw_set(unquote(parsed.username), unquote(parsed.password or "") or None)
    client.max_inflight_messages_set(200)
    connected = threading.Event()
    refused: list[str] = []

    def on_connect(c: mqtt.Client, userdata: object, flags: object, reason: object, properties: object) -> None:
        if getattr(reason, "is_failure", False):
            refused.append(str(reason))
        connected.set()

    client.on_connect = on_connect
    client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883, keepalive=30)
    client.loop_start()
    if not connected.wait(10) or refused:
        client.loop_stop()
        raise ConnectionError(f"the broker at {parsed.hostname}:{parsed.port} refused the publisher: {refused or 'no answer'}")
    return client


def publish(url: str, messages: Sequence[Published] | Sequence[tuple[str, bytes]], *, client_id: str = "", timeout_s: float = 60.0) -> int:
    """Publish with QoS 1 and wait until the broker has acknowledged every message; return how many."""
    client = connect(url, client_id)
    try:
        infos = []
        for item in messages:
            topic, body = (item.topic, item.payload) if isinstance(item, Published) else item
            infos.append(client.publish(topic, body, qos=1))
        for info in infos:
            info.wait_for_publish(timeout_s)
            if not info.is_published():
                raise TimeoutError("the broker did not acknowledge every message")
        return len(infos)
    finally:
        client.disconnect()
        client.loop_stop()
