"""The incident service applies the gateway's scope rule itself: exercise ids must exist, park officers stay live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest_asyncio
from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc as pb_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc

from services.common.auth import Role
from services.incident.server import build_server as build_incident
from services.resources.server import build_server as build_resources
from tests.conftest import auth, service_settings
from tests.grpc_assertions import error_info, expect_error
from tests.incident.factories import create_request
from tests.incident.helpers import OPERATOR, rid

OFFICER = auth(Role.PARK_OFFICER, park_id="ligang")
DIRECTOR = auth(Role.DRILL_DIRECTOR)


@dataclass
class Pair:
    """An incident service that checks exercises with a real resources service."""

    incident: pb_grpc.IncidentServiceStub
    resources: rpb_grpc.ResourceServiceStub


@pytest_asyncio.fixture()
async def pair(tmp_path: Path, database_url: str, clean_redis: str) -> AsyncIterator[Pair]:
    resources, resources_port = await build_resources(service_settings(tmp_path, f"sqlite:///{tmp_path / 'resources.db'}", clean_redis), port=0)
    incident, incident_port = await build_incident(service_settings(tmp_path, database_url, clean_redis, resources_addr=f"127.0.0.1:{resources_port}"), port=0)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{incident_port}") as a, grpc.aio.insecure_channel(f"127.0.0.1:{resources_port}") as b:
        yield Pair(pb_grpc.IncidentServiceStub(a), rpb_grpc.ResourceServiceStub(b))
    await incident.stop(1.0)
    await resources.stop(1.0)


async def _incidents(pair: Pair, exercise_id: str) -> int:
    reply = await pair.incident.ListIncidents(pb.ListIncidentsRequest(exercise_id=exercise_id), metadata=OPERATOR)
    return len(reply.incidents)


async def test_exercise_ids_must_exist_and_be_running(pair: Pair) -> None:
    for metadata in (OPERATOR, DIRECTOR):
        error = await expect_error(
            pair.incident.CreateIncident(create_request(exercise_id="no-such-drill"), metadata=metadata), grpc.StatusCode.FAILED_PRECONDITION
        )
        assert error_info(error).reason == "EXERCISE_NOT_FOUND"
    await pair.resources.CreateExercise(rpb.CreateExerciseRequest(request_id=rid(), exercise_id="drill-one", title="drill"), metadata=OPERATOR)
    await pair.incident.CreateIncident(create_request(exercise_id="drill-one"), metadata=DIRECTOR)
    await pair.incident.CreateIncident(create_request(exercise_id="drill-one"), metadata=OPERATOR)
    assert await _incidents(pair, "drill-one") == 2
    await pair.resources.CreateExercise(rpb.CreateExerciseRequest(request_id=rid(), exercise_id="drill-two", title="drill"), metadata=OPERATOR)
    await pair.resources.EndExercise(rpb.EndExerciseRequest(request_id=rid(), name="exercises/drill-two"), metadata=OPERATOR)
    error = await expect_error(pair.incident.CreateIncident(create_request(exercise_id="drill-two"), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION)
    assert error_info(error).reason == "EXERCISE_ENDED"
    assert await _incidents(pair, "no-such-drill") == 0 and await _incidents(pair, "drill-two") == 0


async def test_a_park_officer_cannot_create_or_update_incidents_in_an_exercise(pair: Pair) -> None:
    await pair.resources.CreateExercise(rpb.CreateExerciseRequest(request_id=rid(), exercise_id="drill-one", title="drill"), metadata=OPERATOR)
    for exercise_id in ("drill-one", "no-such-drill"):
        await expect_error(pair.incident.CreateIncident(create_request(exercise_id=exercise_id), metadata=OFFICER), grpc.StatusCode.PERMISSION_DENIED)
    assert await _incidents(pair, "drill-one") == 0
    drill = (await pair.incident.CreateIncident(create_request(exercise_id="drill-one"), metadata=DIRECTOR)).incident
    patch = pb.Incident(name=drill.name, title="renamed by an officer")
    request = pb.UpdateIncidentRequest(request_id=rid(), incident=patch, version=drill.version)
    request.update_mask.paths.append("title")
    await expect_error(pair.incident.UpdateIncident(request, metadata=OFFICER), grpc.StatusCode.PERMISSION_DENIED)
    live = (await pair.incident.CreateIncident(create_request(), metadata=OFFICER)).incident
    assert live.park_id == "ligang" and not live.exercise_id
