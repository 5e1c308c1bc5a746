"""Alarm intake benchmark: a burst of detector alarms from 200 detectors, from publish to incident.

Every service runs as its own process (as the launcher starts them) on a private Redis, SQLite files in a temporary
folder and a private Mosquitto with per-park credentials. One park of the demo data set is seeded, then 200 chlorine
detectors are registered on a grid over its tank farm. A release reaches every detector; each sends a pre-alarm and
then alarms, all published at once with QoS 1. Alarm-to-incident is the time from publishing an alarm to the intake
having it attached to an incident (its decide time); alarms per second is the burst size over the time from the
first publish to the last decision.

Run from the project root: .venv/bin/python -m bench.alarms [--detectors 200] [--readings 6]
Writes bench/results/alarms.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from emergency.alarms.v1 import alarms_service_pb2 as apb
from emergency.alarms.v1 import alarms_service_pb2_grpc as apb_grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc

from bench.gateway import percentile, services_running
from services.alarms.broker import write_broker_config
from services.alarms.simulate import Site, connect, release
from services.common.auth import Role, mint_token
from services.common.client import bearer, open_channel
from services.common.clock import utcnow
from services.common.local import free_port, start_mosquitto, start_private_redis
from services.common.names import DETECTOR
from services.common.names import PARK as PARK_NAME
from services.common.settings import DEVELOPMENT_JWT_SECRET
from services.resources.seed import seed_demo

RESULTS = Path(__file__).parent / "results" / "alarms.json"
SERVICES = ("incident", "resources", "casebase", "dispatch", "gateway", "alarms")
PARK = "ligang"
CENTRE = (31.9585, 120.0935)


def detector_grid(count: int, spacing_m: float = 40.0) -> list[rpb.Detector]:
    """Chlorine detectors on a square grid over the tank farm."""
    side = int(count**0.5 + 0.999)
    return [
        rpb.Detector(
            name=DETECTOR.format(PARK, f"bench-{i:03d}"),
            display_name=f"bench Cl2 {i}",
            kind=rpb.Detector.KIND_TOXIC_GAS,
            substance=common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3"),
            position=common_pb2.GeoPoint(
                latitude=CENTRE[0] + (i // side - side / 2) * spacing_m / 111_320, longitude=CENTRE[1] + (i % side - side / 2) * spacing_m / 94_500
            ),
            pre_alarm_threshold=0.5,
            alarm_threshold=1.0,
            unit="ppm",
            area="chlorine tank farm A",
        )
        for i in range(count)
    ]


async def all_alarms(stub: apb_grpc.AlarmServiceStub, metadata: tuple[tuple[str, str], ...]) -> list[apb.Alarm]:
    """Every alarm the intake recorded."""
    found: list[apb.Alarm] = []
    token = ""
    while True:
        page = await stub.ListAlarms(apb.ListAlarmsRequest(page_size=1000, page_token=token), metadata=metadata)
        found += page.alarms
        token = page.next_page_token
        if not token:
            return found


async def run(args: argparse.Namespace, folder: Path, redis_url: str, mqtt: tuple[str, str]) -> dict[str, object]:
    """Start the services, seed, publish the burst, measure, stop."""
    intake_url, park_url = mqtt
    async with services_running(SERVICES, folder, redis_url, MQTT_URL=intake_url, MQTT_CLIENT_ID=f"bench-intake-{folder.name}") as (settings, addresses):
        print(await seed_demo(settings, parks=[PARK]))
        metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject="bench", role=Role.OPERATOR))
        channels = [open_channel(addresses["resources"], default_timeout_s=60), open_channel(addresses["alarms"], default_timeout_s=60)]
        resources, alarms = rpb_grpc.ResourceServiceStub(channels[0]), apb_grpc.AlarmServiceStub(channels[1])
        detectors = detector_grid(args.detectors)
        await resources.ImportDetectors(
            rpb.ImportDetectorsRequest(request_id="bench-detectors", parent=PARK_NAME.format(PARK), detectors=detectors), metadata=metadata
        )
        await asyncio.sleep(1.0)  # past the intake's unknown-detector refresh interval, as in a running system
        sites = [Site(d.name, d.position.latitude, d.position.longitude, d.unit, d.pre_alarm_threshold, d.alarm_threshold) for d in detectors]
        start = utcnow()
        burst = release(sites, source=CENTRE, wind_to_deg=60, wind_mps=50, start=start - timedelta(seconds=args.readings * 2 + 60),
                        readings=args.readings, interval_s=2, spread_deg=360)  # fmt: skip
        publisher = connect(park_url)
        published: dict[str, float] = {}
        infos = []
        for message in burst:
            published[message.message_id] = time.time()
            infos.append(publisher.publish(message.topic, message.payload, qos=1))
        for info in infos:
            info.wait_for_publish(120)
        publisher.disconnect()
        publisher.loop_stop()
        deadline = time.monotonic() + args.timeout
        while True:
            recorded = {a.message_id: a for a in await all_alarms(alarms, metadata) if a.message_id in published}
            if len(recorded) == len(burst) and all(a.state != apb.Alarm.STATE_PENDING for a in recorded.values()):
                break
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        for channel in channels:
            await channel.close(None)
    accepted = [a for a in recorded.values() if a.state == apb.Alarm.STATE_ACCEPTED]
    latencies = [a.decide_time.ToMicroseconds() / 1e6 - published[a.message_id] for a in accepted]
    stored = [a.receive_time.ToMicroseconds() / 1e6 - published[a.message_id] for a in accepted]
    deciding = [(a.decide_time.ToMicroseconds() - a.receive_time.ToMicroseconds()) / 1e6 for a in accepted]
    print(f"publish-to-stored p95 {percentile(stored, 0.95):.3f} s; stored-to-decided p95 {percentile(deciding, 0.95):.3f} s")
    last = max((a.decide_time.ToMicroseconds() / 1e6 for a in accepted), default=time.time())
    span = max(last - min(published.values()), 1e-6)
    incidents = {a.incident for a in accepted}
    print(
        f"burst {len(burst)} alarms from {len({m.topic for m in burst})} detectors: {len(recorded)} recorded, {len(accepted)} accepted, {len(incidents)} incident(s)"
    )
    print(
        f"alarm-to-incident p50 {percentile(latencies, 0.5):.3f} s  p95 {percentile(latencies, 0.95):.3f} s  max {max(latencies):.3f} s; {len(burst) / span:.0f} alarms/s"
    )
    return {
        "alarm_to_incident_p95_s": round(percentile(latencies, 0.95), 3),
        "burst_alarms": len(burst),
        "incidents_from_burst": len(incidents),
        "lost_alarms": len(burst) - len(recorded),
        "alarms_per_s": round(len(burst) / span, 1),
        "alarm_to_incident_p50_s": round(percentile(latencies, 0.5), 3),
        "alarm_to_incident_max_s": round(max(latencies), 3),
        "detectors": len({m.topic for m in burst}),
        "publish_to_stored_p95_s": round(percentile(stored, 0.95), 3),
        "stored_to_decided_p95_s": round(percentile(deciding, 0.95), 3),
        "rejected": sum(1 for a in recorded.values() if a.state == apb.Alarm.STATE_REJECTED),
    }


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", type=int, default=200, help="detectors reached by the release")
    parser.add_argument("--readings", type=int, default=6, help="messages per detector (a pre-alarm, then alarms)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for every alarm to be decided")
    parser.add_argument("--keep-data", action="store_true", help="keep the services' data and logs for inspection")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-alarms-"))
    redis_process, redis_url = start_private_redis(folder / "redis")
    files = write_broker_config(folder / "broker", [PARK], port=free_port())
    broker = start_mosquitto(files.config, files.port)
    try:
        results = asyncio.run(run(args, folder, redis_url, (files.url("alarm-intake"), files.url(f"park-{PARK}"))))
    except BaseException:
        print(f"benchmark failed; service logs kept in {folder / 'logs'}", file=sys.stderr)
        raise
    finally:
        for process in (broker, redis_process):
            process.terminate()
            process.wait(timeout=10)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if not args.keep_data:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
