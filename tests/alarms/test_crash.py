"""The intake killed with SIGKILL in the middle of a burst and restarted loses no alarm and opens no second incident."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from emergency.alarms.v1 import alarms_service_pb2 as apb
from emergency.alarms.v1 import alarms_service_pb2_grpc as apb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb

from services.alarms.broker import BrokerFiles
from services.alarms.simulate import publish, release
from services.common.local import free_port, wait_serving
from services.common.outbox import utcnow
from tests.gateway.conftest import Suite, start_suite

from .conftest import PARKS, VIEWER, all_alarms, grid, register, settled


@pytest_asyncio.fixture(scope="module")
async def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The suite in process; the intake runs as a separate process in the test."""
    running = await start_suite(tmp_path_factory.mktemp("crash-suite"), redis_url, parks=PARKS)
    yield running
    await running.stop()


def start_intake(suite: Suite, broker: BrokerFiles, port: int, log: Path) -> subprocess.Popen[bytes]:
    """python -m services.alarms.server with a fixed client id, pointed at the suite and the broker."""
    env = dict(os.environ)
    env.update(
        DATA_DIR=str(suite.root),
        REDIS_URL=suite.redis_url,
        INCIDENT_ADDR=suite.addresses["incident"],
        RESOURCES_ADDR=suite.addresses["resources"],
        GATEWAY_PORT=suite.addresses["gateway"].rsplit(":", 1)[1],
        ALARMS_PORT=str(port),
        MQTT_URL=broker.url("alarm-intake"),
        MQTT_CLIENT_ID="crash-test-intake",
        ALARMS_NOTE_INTERVAL_S="0.2",
        LOG_FORMAT="text",
    )
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "services.alarms.server"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def test_sigkill_during_a_burst_loses_no_alarm(suite: Suite, broker: BrokerFiles, tmp_path: Path) -> None:
    sites = await register(suite, "xiagang", grid("xiagang", "crash", (31.9300, 120.2350), 30, spacing_m=40))
    start = utcnow() - timedelta(seconds=200)
    burst = release(sites, source=(31.9300, 120.2350), wind_to_deg=0, start=start, readings=20, interval_s=5, spread_deg=360)
    half = len(burst) // 2
    port = free_port()
    process = start_intake(suite, broker, port, tmp_path / "intake.log")
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = apb_grpc.AlarmServiceStub(channel)
    try:
        assert await wait_serving(f"127.0.0.1:{port}", "emergency.alarms.v1.AlarmService", 30)
        publisher = asyncio.create_task(asyncio.to_thread(publish, broker.url("park-xiagang"), burst[:half]))
        while len(await all_alarms(stub)) < 20:  # killed once it is busy storing and correlating
            await asyncio.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        await publisher
        await asyncio.to_thread(publish, broker.url("park-xiagang"), burst[half:])  # published while the intake is down
        process = start_intake(suite, broker, port, tmp_path / "intake.log")
        assert await wait_serving(f"127.0.0.1:{port}", "emergency.alarms.v1.AlarmService", 30)
        alarms = await settled(stub, {m.message_id for m in burst}, timeout_s=120)
        assert len(alarms) == len(burst) == 600 and {a.state for a in alarms} == {apb.Alarm.STATE_ACCEPTED}
        incidents = {a.incident for a in alarms}
        assert len(incidents) == 1
        incident = incidents.pop()
        record = (await stub.GetAlarmIncident(apb.GetAlarmIncidentRequest(incident=incident), metadata=VIEWER)).incident
        assert record.alarm_count == len(burst) and record.detector_count == 30
        opened = await suite.incident.ListIncidents(ipb.ListIncidentsRequest(park_id="xiagang", page_size=500), metadata=VIEWER)
        assert [i.name for i in opened.incidents if i.reporter.startswith("alarm intake")] == [incident]
        for _ in range(300):
            entries = (
                await suite.incident.ListTimelineEntries(ipb.ListTimelineEntriesRequest(parent=incident, page_size=1000), metadata=VIEWER)
            ).timeline_entries
            on_timeline = {a["message_id"] for e in entries if e.action == "ALARMS_RECORDED" for a in e.after["alarms"]}
            if on_timeline == {m.message_id for m in burst}:
                break
            await asyncio.sleep(0.1)
        assert on_timeline == {m.message_id for m in burst}
    finally:
        await channel.close(None)
        if process.poll() is None:
            process.terminate()
            process.wait(15)
