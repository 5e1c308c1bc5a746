"""DETECTOR_ALARMS drill injects: a release spreading downwind, published into the exercise's alarm topics."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import store
from gateway.backends import Backends, call
from gateway.config import GatewayConfig
from gateway.names import derive_id
from services.alarms.config import DEFAULT_MQTT_URL
from services.alarms.simulate import Site, publish, release
from services.common.errors import failed_precondition
from services.common.outbox import utcnow


async def publish_burst(backends: Backends, config: GatewayConfig, row: store.DrillRow, inject: cpb.Inject) -> dict[str, object]:
    """Publish the inject's burst under drills/{exercise}/; the alarm intake opens the incident inside the exercise."""
    park, _, prefix = inject.detectors.removeprefix("parks/").partition("/detectors/")
    listed = await call(backends.resources.ListDetectors, rpb.ListDetectorsRequest(parent=f"parks/{park}", page_size=1000))
    chosen = [d for d in listed.detectors if d.name.rsplit("/", 1)[1].startswith(prefix)]
    if not chosen:
        raise failed_precondition("NO_DETECTORS", f"no detector of parks/{park} has an id starting with {prefix!r}", {"detectors": inject.detectors})
    sites = [Site(d.name, d.position.latitude, d.position.longitude, d.unit, d.pre_alarm_threshold, d.alarm_threshold) for d in chosen]
    source = (sum(s.latitude for s in sites) / len(sites), sum(s.longitude for s in sites) / len(sites))
    readings = inject.readings or 3
    start = utcnow() - timedelta(seconds=readings * 10 + 120)  # the cloud has spread over the last minutes: nothing lies in the future
    tag = derive_id("alm", row.drill_id, inject.id)  # the same inject republished after a restart is the same messages
    burst = release(sites, source=source, wind_to_deg=inject.wind_to_deg, wind_mps=inject.wind_mps or 2.0, start=start, readings=readings,
                    exercise_id=row.exercise_id, tag=tag)  # fmt: skip
    url = config.drill_mqtt_url or os.environ.get("MQTT_URL", DEFAULT_MQTT_URL)
    sent = await asyncio.to_thread(publish, url, burst)
    return {"alarms": sent, "detectors": len({m.topic for m in burst})}
