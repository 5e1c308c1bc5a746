"""A real Mosquitto with per-park credentials on a free port, the whole suite in process, and the alarm intake."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
import pytest_asyncio
from emergency.alarms.v1 import alarms_service_pb2 as apb
from emergency.alarms.v1 import alarms_service_pb2_grpc as apb_grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as rpb

from services.alarms.broker import BrokerFiles, write_broker_config
from services.alarms.config import load_alarm_config
from services.alarms.server import build_server as build_alarms
from services.alarms.simulate import Site
from services.common.auth import Role
from services.common.local import free_port, start_mosquitto
from services.common.server import RunningServer
from services.common.settings import Settings
from tests.conftest import auth, service_settings
from tests.gateway.conftest import Suite, gateway_config, start_suite

PARKS = ("shengang", "xiagang", "chengxi")
OPERATOR = auth(Role.OPERATOR, subject="alarm-test-operator")
VIEWER = auth(Role.VIEWER, subject="alarm-test-viewer")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerFiles]:
    """mosquitto with one user per park and ACLs, on a free port, for this module."""
    files = write_broker_config(tmp_path_factory.mktemp("broker"), [*PARKS, "ligang"], port=free_port())
    process = start_mosquitto(files.config, files.port)
    yield files
    process.terminate()
    process.wait(10)


def intake_settings(suite: Suite) -> Settings:
    """Settings of an intake that reaches the in-process suite."""
    gateway_port = int(suite.addresses["gateway"].rsplit(":", 1)[1])
    return service_settings(
        suite.root, "", suite.redis_url, incident_addr=suite.addresses["incident"], resources_addr=suite.addresses["resources"], gateway_port=gateway_port
    )


@dataclass
class AlarmHarness:
    """The suite, the broker and the intake with a stub to it."""

    suite: Suite
    broker: BrokerFiles
    intake: RunningServer | None
    alarms: apb_grpc.AlarmServiceStub
    channel: grpc.aio.Channel

    def park_url(self, park_id: str) -> str:
        """Broker URL with a park's credentials."""
        return self.broker.url(f"park-{park_id}")


@pytest_asyncio.fixture(scope="module")
async def harness(tmp_path_factory: pytest.TempPathFactory, redis_url: str, broker: BrokerFiles) -> AsyncIterator[AlarmHarness]:
    """Suite + intake in process for one test module."""
    config = gateway_config(drill_mqtt_url=broker.url("drill-injector"))
    suite = await start_suite(tmp_path_factory.mktemp("alarm-suite"), redis_url, parks=PARKS, config=config)
    intake_config = load_alarm_config(mqtt_url=broker.url("alarm-intake"), mqtt_client_id=f"intake-{time.time_ns()}", note_interval_s=0.2)
    intake, port = await build_alarms(intake_settings(suite), port=0, config=intake_config)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield AlarmHarness(suite, broker, intake, apb_grpc.AlarmServiceStub(channel), channel)
    finally:
        await channel.close(None)
        await intake.stop(1.0)
        await suite.stop()


async def all_alarms(stub: apb_grpc.AlarmServiceStub, **filters: Any) -> list[apb.Alarm]:
    """Every alarm matching the filters."""
    found: list[apb.Alarm] = []
    token = ""
    while True:
        page = await stub.ListAlarms(apb.ListAlarmsRequest(page_size=1000, page_token=token, **filters), metadata=VIEWER)
        found += page.alarms
        token = page.next_page_token
        if not token:
            return found


async def settled(stub: apb_grpc.AlarmServiceStub, message_ids: set[str], *, exercise_id: str = "", timeout_s: float = 60.0) -> list[apb.Alarm]:
    """Wait until every message id is recorded and decided; return their alarms."""
    deadline = time.monotonic() + timeout_s
    while True:
        alarms = [a for a in await all_alarms(stub, exercise_id=exercise_id) if a.message_id in message_ids]
        if {a.message_id for a in alarms} == message_ids and all(a.state != apb.Alarm.STATE_PENDING for a in alarms):
            return alarms
        if time.monotonic() > deadline:
            pending = len(message_ids) - sum(1 for a in alarms if a.state != apb.Alarm.STATE_PENDING)
            raise AssertionError(f"{pending} of {len(message_ids)} alarms not decided in time")
        await asyncio.sleep(0.1)


def grid(
    park_id: str,
    prefix: str,
    centre: tuple[float, float],
    count: int,
    *,
    spacing_m: float = 40.0,
    substance: tuple[str, str, str] = ("chlorine", "1017", "2.3"),
) -> list[rpb.Detector]:
    """Toxic-gas detectors on a square grid around a point."""
    side = int(count**0.5 + 0.999)
    found = []
    for i in range(count):
        north, east = (i // side - side / 2) * spacing_m, (i % side - side / 2) * spacing_m
        found.append(
            rpb.Detector(
                name=f"parks/{park_id}/detectors/{prefix}-{i:03d}",
                display_name=f"{prefix} {i}",
                kind=rpb.Detector.KIND_TOXIC_GAS,
                substance=common_pb2.Substance(name=substance[0], un_number=substance[1], hazard_class=substance[2]),
                position=common_pb2.GeoPoint(latitude=centre[0] + north / 111_320, longitude=centre[1] + east / 94_500),
                pre_alarm_threshold=0.5,
                alarm_threshold=1.0,
                unit="ppm",
                area=f"{prefix} area",
            )
        )
    return found


async def register(suite: Suite, park_id: str, detectors: list[rpb.Detector]) -> list[Site]:
    """Import detectors into a park (as its officer) and return them as simulator sites."""
    officer = auth(Role.PARK_OFFICER, park_id=park_id, subject=f"officer-{park_id}")
    await suite.resources.ImportDetectors(
        rpb.ImportDetectorsRequest(request_id=f"import-{time.time_ns()}", parent=f"parks/{park_id}", detectors=detectors), metadata=officer
    )
    return [Site(d.name, d.position.latitude, d.position.longitude, d.unit, d.pre_alarm_threshold, d.alarm_threshold) for d in detectors]


async def demo_sites(suite: Suite, park_id: str, prefix: str) -> list[Site]:
    """The seeded demo detectors of a park whose id starts with a prefix."""
    reply = await suite.resources.ListDetectors(rpb.ListDetectorsRequest(parent=f"parks/{park_id}", page_size=1000), metadata=VIEWER)
    return [
        Site(d.name, d.position.latitude, d.position.longitude, d.unit, d.pre_alarm_threshold, d.alarm_threshold)
        for d in reply.detectors
        if d.name.rsplit("/", 1)[1].startswith(prefix)
    ]
