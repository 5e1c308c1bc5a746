"""Helpers for case-base integration tests: tokens, requests, paging and outbox reads."""

from __future__ import annotations

import uuid
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.casebase.v1 import casebase_service_pb2_grpc as pb_grpc
from emergency.common.v1 import common_pb2
from sqlalchemy import create_engine, text

from services.common.auth import Role
from services.common.db import normalise_url
from tests.conftest import auth

OPERATOR = auth(Role.OPERATOR, subject="operator-li")
DIRECTOR = auth(Role.DRILL_DIRECTOR, subject="director-zhao")
VIEWER = auth(Role.VIEWER, subject="viewer-qian")
OFFICER = auth(Role.PARK_OFFICER, park_id="ligang", subject="officer-sun")


def rid() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


def chlorine_profile(**overrides: Any) -> pb.IncidentProfile:
    """A chlorine leak in a chemical park."""
    profile = pb.IncidentProfile(
        kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
        substances=[common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3")],
        severity=common_pb2.SEVERITY_II,
        park_kind=common_pb2.PARK_KIND_CHEMICAL_PARK,
        text="液氯储罐阀门泄漏，氯气向下风向扩散 chlorine tank valve leak",
    )
    for key, value in overrides.items():
        setattr(profile, key, value)
    return profile


def new_case(**overrides: Any) -> pb.AccidentCase:
    """A valid made-up case: a hydrogen fluoride release at an etching plant."""
    case = pb.AccidentCase(
        title="Hydrofluoric acid release at an etching line",
        title_zh="蚀刻线氢氟酸泄漏",
        date="2024-05",
        place="Hitech East, China",
        industry="semiconductor etching",
        park_kind=common_pb2.PARK_KIND_HIGH_TECH,
        kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
        substances=[common_pb2.Substance(name="hydrogen fluoride", un_number="1052", hazard_class="8")],
        severity=common_pb2.SEVERITY_III,
        casualties=pb.Casualties(deaths=0, injuries=4, evacuated=300),
        duration_hours=6,
        weather=common_pb2.Weather(condition="overcast", wind_speed_mps=3.0, temperature_c=18),
        summary="A flange on an etching line failed and hydrogen fluoride vapour filled the bay; four workers were burned.",
        timeline=[pb.CaseEvent(offset_minutes=0, text="Alarm in the etching bay."), pb.CaseEvent(offset_minutes=35, text="Entry team isolates the line.")],
        response_actions=["Evacuation of the building and gas-tight entry to close the valve."],
        resources_used=[pb.ResourceUse(resource_type="HAZMAT_TEAM", quantity=2, estimated=True)],
        outcome="Line isolated within the hour; no deaths.",
        causes=["Corroded flange gasket."],
        lessons=["Keep calcium gluconate gel at every etching line."],
        synthetic=True,
    )
    for key, value in overrides.items():
        if isinstance(value, list):
            del getattr(case, key)[:]
            getattr(case, key).extend(value)
        else:
            setattr(case, key, value)
    return case


async def all_case_names(stub: pb_grpc.CaseBaseServiceStub, page_size: int = 500, **filters: Any) -> list[str]:
    """Every case name a filtered listing yields, page by page."""
    names: list[str] = []
    token = ""
    while True:
        page = await stub.ListCases(pb.ListCasesRequest(page_size=page_size, page_token=token, **filters), metadata=VIEWER)
        names += [c.name for c in page.cases]
        token = page.next_page_token
        if not token:
            return names


async def all_scenario_names(stub: pb_grpc.CaseBaseServiceStub) -> list[str]:
    """Every scenario name, page by page."""
    names: list[str] = []
    token = ""
    while True:
        page = await stub.ListScenarios(pb.ListScenariosRequest(page_size=5, page_token=token), metadata=VIEWER)
        names += [s.name for s in page.scenarios]
        token = page.next_page_token
        if not token:
            return names


def outbox_events(database_url: str) -> list[tuple[str, str]]:
    """(type, subject) of every outbox row, in order."""
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT event_type, subject FROM outbox_events ORDER BY id")).all()
        return [(r[0], r[1]) for r in rows]
    finally:
        engine.dispose()
