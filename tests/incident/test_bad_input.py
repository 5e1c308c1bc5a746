"""A table of bad inputs: each refused with INVALID_ARGUMENT and its field, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import grpc
import pytest
from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb
from sqlmodel import Session, func, select

from services.common.db import make_engine
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent
from services.incident.tables import IncidentRow, TimelineRow
from tests.grpc_assertions import expect_error, field_violations
from tests.incident.conftest import IncidentHarness
from tests.incident.factories import create_request, incident_message
from tests.incident.helpers import OPERATOR, create, rid


def _create(**overrides: object) -> Callable[[], pb.CreateIncidentRequest]:
    return lambda: create_request(**overrides)


def _point(lat: float, lon: float) -> common_pb2.Location:
    return common_pb2.Location(point=common_pb2.GeoPoint(latitude=lat, longitude=lon))


def _without_location() -> pb.CreateIncidentRequest:
    request = create_request()
    request.incident.ClearField("location")
    return request


def _demand(resource_type: str = "HAZMAT_TEAM", quantity: float = 1, minutes: int = 0) -> Callable[[], pb.CreateIncidentRequest]:
    def build() -> pb.CreateIncidentRequest:
        request = create_request()
        del request.incident.demands[:]
        request.incident.demands.append(common_pb2.ResourceDemand(resource_type=resource_type, quantity=quantity, needed_within_minutes=minutes))
        return request

    return build


def _no_request_id() -> pb.CreateIncidentRequest:
    request = create_request()
    request.request_id = ""
    return request


def _output_only() -> pb.CreateIncidentRequest:
    request = create_request()
    request.incident.state = pb.Incident.STATE_CLOSED
    return request


CREATE_CASES: list[tuple[str, Callable[[], pb.CreateIncidentRequest], str]] = [
    ("missing title", _create(title=""), "incident.title"),
    ("oversized title", _create(title="x" * 201), "incident.title"),
    ("missing reporter", _create(reporter="  "), "incident.reporter"),
    ("oversized description", _create(description="描" * 4001), "incident.description"),
    ("missing location", _without_location, "incident.location.point"),
    ("latitude out of range", _create(location=_point(91.0, 120.0)), "incident.location.point.latitude"),
    ("longitude out of range", _create(location=_point(31.9, -180.5)), "incident.location.point.longitude"),
    ("latitude not finite", _create(location=_point(float("nan"), 120.0)), "incident.location.point.latitude"),
    ("unspecified kind", _create(kind=common_pb2.INCIDENT_KIND_UNSPECIFIED), "incident.kind"),
    ("unknown kind value", _create(kind=999), "incident.kind"),
    ("unspecified severity", _create(severity=common_pb2.SEVERITY_UNSPECIFIED), "incident.severity"),
    ("unknown severity value", _create(severity=42), "incident.severity"),
    ("bad UN number", _create(substance=common_pb2.Substance(name="chlorine", un_number="10a7")), "incident.substance.un_number"),
    ("unknown hazard class", _create(substance=common_pb2.Substance(name="x", hazard_class="11")), "incident.substance.hazard_class"),
    ("zero quantity", _demand(quantity=0), "incident.demands[0].quantity"),
    ("negative quantity", _demand(quantity=-3), "incident.demands[0].quantity"),
    ("malformed resource type", _demand(resource_type="hazmat team"), "incident.demands[0].resource_type"),
    ("negative needed-within", _demand(minutes=-5), "incident.demands[0].needed_within_minutes"),
    ("bad park id", _create(park_id="Ligang Park!"), "incident.park_id"),
    ("missing request id", _no_request_id, "request_id"),
    ("output-only state set", _output_only, "incident.state"),
]


def _counts(database_url: str) -> tuple[int, int, int, int]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        counts = tuple(int(session.exec(select(func.count()).select_from(t)).one()) for t in (IncidentRow, TimelineRow, OutboxEvent, IdempotencyRecord))
    engine.dispose()
    return counts  # type: ignore[return-value]


@pytest.mark.parametrize(("label", "build", "field"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
async def test_bad_create_is_refused_with_its_field(incident: IncidentHarness, label: str, build: Callable[[], pb.CreateIncidentRequest], field: str) -> None:
    before = _counts(incident.database_url)
    error = await expect_error(incident.stub.CreateIncident(build(), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field in field_violations(error), f"{label}: {field_violations(error)}"
    assert _counts(incident.database_url) == before


async def test_bad_list_and_change_requests(incident: IncidentHarness) -> None:
    inc = await create(incident.stub)
    before = _counts(incident.database_url)
    cases = [
        (incident.stub.ListIncidents(pb.ListIncidentsRequest(page_size=-1), metadata=OPERATOR), "page_size"),
        (incident.stub.ListIncidents(pb.ListIncidentsRequest(page_token="%%%not-a-token"), metadata=OPERATOR), "page_token"),
        (incident.stub.ListIncidents(pb.ListIncidentsRequest(states=[cast(pb.Incident.State, 77)]), metadata=OPERATOR), "states[0]"),
        (incident.stub.GetIncident(pb.GetIncidentRequest(name="cases/abc"), metadata=OPERATOR), "name"),
        (incident.stub.VerifyIncident(pb.VerifyIncidentRequest(request_id=rid(), name=inc.name, version=0), metadata=OPERATOR), "version"),
        (
            incident.stub.ChangeSeverity(
                pb.ChangeSeverityRequest(request_id=rid(), name=inc.name, version=1, severity=common_pb2.SEVERITY_I), metadata=OPERATOR
            ),
            "reason",
        ),
        (
            incident.stub.SetDemands(
                pb.SetDemandsRequest(request_id=rid(), name=inc.name, version=1, demands=[common_pb2.ResourceDemand(resource_type="FOAM_AFFF", quantity=-1)]),
                metadata=OPERATOR,
            ),
            "demands[0].quantity",
        ),
        (incident.stub.CancelIncident(pb.CancelIncidentRequest(request_id=rid(), name=inc.name, version=1), metadata=OPERATOR), "reason"),
        (incident.stub.CloseIncident(pb.CloseIncidentRequest(request_id=rid(), name=inc.name, version=1), metadata=OPERATOR), "outcome_summary"),
    ]
    update = pb.UpdateIncidentRequest(request_id=rid(), incident=incident_message(name=inc.name), version=1)
    update.update_mask.paths.append("state")
    cases.append((incident.stub.UpdateIncident(update, metadata=OPERATOR), "update_mask.paths[state]"))
    for call, field in cases:
        error = await expect_error(call, grpc.StatusCode.INVALID_ARGUMENT)
        assert field in field_violations(error), (field, field_violations(error))
    assert _counts(incident.database_url) == before
