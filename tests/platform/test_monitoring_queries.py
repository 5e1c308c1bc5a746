"""The metric readers' queries on SQLite and PostgreSQL: open incidents, units, reserves, low stock, sagas, relay lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from gateway import monitoring as gateway_monitoring
from gateway.tables import TABLES as GATEWAY_TABLES
from gateway.tables import SagaRow, SagaStepRow
from services.casebase import monitoring as casebase_monitoring
from services.casebase.tables import TABLES as CASEBASE_TABLES
from services.casebase.tables import ReportRow
from services.common.db import create_schema, make_engine, session_scope
from services.common.instrument import outbox_backlog
from services.common.metrics import Reading
from services.common.outbox import OutboxEvent, add_event
from services.incident import monitoring as incident_monitoring
from services.incident.tables import TABLES as INCIDENT_TABLES
from services.incident.tables import IncidentRow
from services.resources import monitoring as resources_monitoring
from services.resources.tables import TABLES as RESOURCES_TABLES
from services.resources.tables import DepotRow, ParkRow, ReservationRow, ReservePolicyRow, StockRow, UnitRow


def as_dict(readings: list[Reading]) -> dict[tuple[tuple[str, object], ...], float]:
    """Readings keyed by their sorted attributes."""
    return {tuple(sorted(attributes.items())): value for value, attributes in readings}


def test_outbox_backlog_counts_waiting_rows_and_the_age_of_the_oldest(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, [OutboxEvent])
    assert outbox_backlog(engine) == (0, 0.0)
    with session_scope(engine) as session:
        old = add_event(session, stream="s", event_type="t", subject="x")
        old.created_at = datetime.now(UTC) - timedelta(seconds=40)
        add_event(session, stream="s", event_type="t", subject="y")
        add_event(session, stream="s", event_type="t", subject="z").relayed_at = datetime.now(UTC)
    waiting, lag = outbox_backlog(engine)
    assert waiting == 2 and 40 <= lag < 3600
    engine.dispose()


def _incident(incident_id: str, severity: str, state: str, exercise_id: str = "") -> IncidentRow:
    return IncidentRow(
        incident_id=incident_id, exercise_id=exercise_id, title="t", latitude=31.9, longitude=120.2, kind="FIRE", severity=severity, reporter="r", state=state
    )


def test_open_incidents_by_level_state_and_namespace(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, INCIDENT_TABLES)
    with Session(engine) as session:
        session.add_all(
            [
                _incident("inc-aaa", "II", "RESPONDING"),
                _incident("inc-bbb", "II", "RESPONDING"),
                _incident("inc-ccc", "I", "REPORTED", exercise_id="drill-1"),
                _incident("inc-ddd", "III", "CLOSED"),
            ]
        )
        session.commit()
    assert as_dict(incident_monitoring.open_incidents(engine)) == {
        (("namespace", "live"), ("severity", "II"), ("state", "RESPONDING")): 2.0,
        (("namespace", "drill"), ("severity", "I"), ("state", "REPORTED")): 1.0,
    }
    engine.dispose()


def _unit(unit_id: str, park: str, kind: str, state: str, namespace: str = "") -> UnitRow:
    return UnitRow(namespace=namespace, park_id=park, unit_id=unit_id, type=kind, home_depot="d1", latitude=31.9, longitude=120.2, state=state)


def test_resources_units_reserves_reservations_and_low_stock(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, RESOURCES_TABLES)
    with Session(engine) as session:
        for park in ("ligang", "xiagang"):
            session.add(ParkRow(park_id=park, display_name=park, kind="CHEMICAL", latitude=31.9, longitude=120.2))
        session.commit()
        for park, depot in (("ligang", "d1"), ("xiagang", "d1"), ("xiagang", "d2")):
            session.add(DepotRow(park_id=park, depot_id=depot, display_name=depot, kind="STATION", latitude=31.9, longitude=120.2))
        session.commit()
        session.add_all(
            [
                _unit("u1", "ligang", "HAZMAT_TEAM", "AVAILABLE"),
                _unit("u2", "ligang", "HAZMAT_TEAM", "EN_ROUTE"),
                _unit("u3", "ligang", "HAZMAT_TEAM", "AVAILABLE", namespace="drill-1"),
                _unit("u4", "xiagang", "FIRE_ENGINE", "AVAILABLE"),
                ReservePolicyRow(park_id="ligang", type="HAZMAT_TEAM", min_available=2),
                ReservePolicyRow(park_id="xiagang", type="FIRE_ENGINE", min_available=1),
                ReservePolicyRow(park_id="xiagang", type="FOAM_CONCENTRATE", min_available=500),
                StockRow(namespace="", park_id="xiagang", depot_id="d1", type="FOAM_CONCENTRATE", on_hand=600, reserved=200, minimum_level=300),
                StockRow(namespace="", park_id="xiagang", depot_id="d2", type="FOAM_CONCENTRATE", on_hand=100, reserved=0, minimum_level=50),
                ReservationRow(reservation_id="r1", namespace="", incident="incidents/inc-aaa", state="CONFIRMED"),
                ReservationRow(reservation_id="r2", namespace="", incident="incidents/inc-aaa", state="EXPIRED"),
                ReservationRow(reservation_id="r3", namespace="drill-1", incident="incidents/inc-ccc", state="EXPIRED"),
            ]
        )
        session.commit()
    units = as_dict(resources_monitoring.units_by_state(engine))
    assert units[(("park", "ligang"), ("state", "AVAILABLE"), ("type", "HAZMAT_TEAM"))] == 1.0  # the drill's copy is not counted
    assert units[(("park", "ligang"), ("state", "EN_ROUTE"), ("type", "HAZMAT_TEAM"))] == 1.0
    assert sum(units.values()) == 3.0
    assert as_dict(resources_monitoring.reserve_shortfall(engine)) == {
        (("park", "ligang"), ("type", "HAZMAT_TEAM")): 1.0,
        (("park", "xiagang"), ("type", "FIRE_ENGINE")): 0.0,
        (("park", "xiagang"), ("type", "FOAM_CONCENTRATE")): 0.0,  # 400 + 100 on hand and not reserved
    }
    assert resources_monitoring.parks_below_reserve(engine) == [(1.0, {})]
    assert resources_monitoring.low_stock_depots(engine) == []
    with Session(engine) as session:
        stock = session.get(StockRow, ("", "xiagang", "d1", "FOAM_CONCENTRATE"))
        assert stock is not None
        stock.reserved = 450
        session.add(stock)
        session.commit()
    assert resources_monitoring.low_stock_depots(engine) == [(1.0, {"park": "xiagang"})]
    assert resources_monitoring.parks_below_reserve(engine) == [(2.0, {})]  # 150 + 100 foam left against 500
    assert as_dict(resources_monitoring.reservations_by_state(engine)) == {
        (("namespace", "live"), ("state", "CONFIRMED")): 1.0,
        (("namespace", "live"), ("state", "EXPIRED")): 1.0,
        (("namespace", "drill"), ("state", "EXPIRED")): 1.0,
    }
    engine.dispose()


def test_gateway_sagas_and_steps(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, GATEWAY_TABLES)
    with Session(engine) as session:
        session.add_all(
            [
                SagaRow(request_id="a", method="CommitPlan", fingerprint="f", state="DONE"),
                SagaRow(request_id="b", method="CommitPlan", fingerprint="f", state="COMPENSATED"),
                SagaStepRow(request_id="a", step="REPLAN", status="done"),
                SagaStepRow(request_id="a", step="REPLAN", status="begin"),
                SagaStepRow(request_id="b", step="COMPENSATED", status="done"),
            ]
        )
        session.commit()
    assert as_dict(gateway_monitoring.sagas_by_state(engine)) == {(("state", "DONE"),): 1.0, (("state", "COMPENSATED"),): 1.0}
    steps = as_dict(gateway_monitoring.saga_steps(engine))
    assert steps[(("status", "done"), ("step", "REPLAN"))] == 1.0 and steps[(("status", "done"), ("step", "COMPENSATED"))] == 1.0
    engine.dispose()


def test_casebase_latest_score_per_scenario(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, CASEBASE_TABLES)
    with Session(engine) as session:
        session.add_all(
            [
                ReportRow(report_id="r1", scenario_id="jetty-fire", score=0.5, body="{}"),
                ReportRow(report_id="r2", scenario_id="jetty-fire", score=0.8, body="{}"),
                ReportRow(report_id="r3", scenario_id="", live=True, score=0.9, body="{}"),
            ]
        )
        session.commit()
    assert casebase_monitoring.latest_scores(engine) == [
        (0.8, {"scenario": "jetty-fire", "namespace": "drill"}),
        (0.9, {"scenario": "none", "namespace": "live"}),
    ]
    assert casebase_monitoring.library_size(engine) == [(0.0, {})]
    engine.dispose()
