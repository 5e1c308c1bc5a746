"""The read model's state and how events change it, without servers: versions, views, stored form, what each event asks."""

from __future__ import annotations

import json

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.readmodel_events import INCIDENT_STREAM, RESOURCES_STREAM, Refresh, refresh_for
from gateway.readmodel_state import INCIDENT, STOCK, UNIT, Picture
from gateway.readmodel_writes import written

AVAILABLE, RESERVED, RETIRED = rpb.Unit.STATE_AVAILABLE, rpb.Unit.STATE_RESERVED, rpb.Unit.STATE_RETIRED


def unit(name: str, version: int, state: int = AVAILABLE, kind: str = "HAZMAT_TEAM") -> rpb.Unit:
    park = name.split("/")[1]
    return rpb.Unit(name=name, park_id=park, home_depot_id="base", resource_type=kind, state=state, version=version)  # type: ignore[arg-type]


def stock(name: str, version: int, on_hand: float, reserved: float = 0.0, minimum: float = 0.0) -> rpb.Stock:
    return rpb.Stock(name=name, resource_type=name.rsplit("/", 1)[1], on_hand=on_hand, reserved=reserved, minimum_level=minimum, version=version)


def event(stream: str, kind: str, subject: str, version: int = 0, exercise_id: str = "", **payload: object) -> gpb.Event:
    message = gpb.Event(stream=stream, type=kind, subject=subject, version=version, exercise_id=exercise_id, event_id=kind + subject)
    message.payload.update(json.loads(json.dumps(payload)))
    return message


def picture() -> Picture:
    held = Picture()
    held.set_depots([rpb.Depot(name="parks/a/depots/base", shared=True)])
    held.depots["parks/a/depots/base"].location.latitude = 31.9
    held.put_unit(unit("parks/a/units/u2", 3))
    held.put_unit(unit("parks/a/units/u1", 1, RESERVED))
    held.put_stock(stock("parks/a/depots/base/stocks/FOAM", 2, on_hand=10, reserved=4, minimum=6))
    return held


def test_an_older_version_never_replaces_a_newer_one() -> None:
    held = picture()
    assert not held.put_unit(unit("parks/a/units/u2", 2, RESERVED))
    assert held.put_unit(unit("parks/a/units/u2", 4, RESERVED)) and held.units["parks/a/units/u2"].unit.state == RESERVED
    assert held.put_unit(unit("parks/a/units/u2", 5, RETIRED)) and "parks/a/units/u2" not in held.units
    assert not held.put_unit(unit("parks/a/units/u2", 4)), "a read older than the retirement comes back"
    closed = ipb.Incident(name="incidents/i1", state=ipb.Incident.STATE_CLOSED, version=7)
    assert not held.put_incident(ipb.Incident(name="incidents/i1", state=ipb.Incident.STATE_REPORTED, version=1, exercise_id="drill"))
    assert held.put_incident(ipb.Incident(name="incidents/i1", state=ipb.Incident.STATE_REPORTED, version=1))
    assert held.put_incident(closed) and not held.incidents
    assert not held.put_incident(ipb.Incident(name="incidents/i1", state=ipb.Incident.STATE_RESPONDING, version=6))


def test_views_say_what_a_snapshot_and_the_lists_would() -> None:
    held = picture()
    assert [u.name for u in held.units_away()] == ["parks/a/units/u1"]
    assert held.available_count() == 1
    (low,) = held.low_stocks()
    assert low.name.endswith("FOAM")
    world = held.world({"HAZMAT_TEAM"})
    assert [u.unit.name for u in world.units] == ["parks/a/units/u2"] and [u.unit.name for u in world.committed] == ["parks/a/units/u1"]
    assert world.units[0].home_location.latitude == 31.9 and world.units[0].vehicle_class
    assert world.stocks == [] and held.world().stocks[0].available == 6 and held.world().stocks[0].shared
    world.units[0].unit.state = RESERVED
    assert held.units["parks/a/units/u2"].unit.state == AVAILABLE, "a caller's copy never reaches the picture"


def test_the_stored_form_gives_the_same_picture() -> None:
    held = picture()
    held.put_incident(ipb.Incident(name="incidents/i1", state=ipb.Incident.STATE_REPORTED, version=1))
    items = []
    for kind, key in held.all_keys():
        stored = held.item(kind, key)
        assert stored is not None
        items.append((kind, key, stored[1]))
    assert Picture.from_items(items).same_as(held)
    held.drop(STOCK, "parks/a/depots/base/stocks/FOAM")
    assert held.item(STOCK, "parks/a/depots/base/stocks/FOAM") is None and (STOCK, "parks/a/depots/base/stocks/FOAM") in held.changed


def test_what_each_event_asks() -> None:
    held = picture()
    assert refresh_for(event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u2", 3), held) == Refresh(), "a version held already"
    assert refresh_for(event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u2", 4), held).units == {"parks/a/units/u2"}
    assert refresh_for(event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u2", 9, exercise_id="drill"), held) == Refresh()
    stock_moved = refresh_for(event(RESOURCES_STREAM, "stock.movement", "parks/a/depots/base/stocks/FOAM", 3), held)
    assert stock_moved.depots == {"parks/a/depots/base"}
    created = event(RESOURCES_STREAM, "reservation.created", "reservations/r1", units=["parks/a/units/u2"], stocks=[{"stock": "parks/b/depots/d/stocks/X"}])
    # Its units' moves come as unit events of their own: only the stock's depot is read.
    assert (refresh_for(created, held).units, refresh_for(created, held).depots) == (set(), {"parks/b/depots/d"})
    assert refresh_for(created, held, lambda r, s, units, depots: r == "reservations/r1" and s == "reservation.created") == Refresh()
    assert refresh_for(event(RESOURCES_STREAM, "reservation.confirmed", "reservations/r1"), held).rebuild, "an event that does not name its units"
    assert refresh_for(event(RESOURCES_STREAM, "depot.created", "parks/a/depots/new"), held).rebuild == "depot.created"
    assert "unknown" in refresh_for(event(RESOURCES_STREAM, "fleet.reorganised", "parks/a"), held).rebuild
    assert refresh_for(event(RESOURCES_STREAM, "detector.created", "parks/a/detectors/d"), held) == Refresh()
    closed = refresh_for(event(INCIDENT_STREAM, "incident.closed", "incidents/i9", 5, state="CLOSED"), held)
    assert closed.dropped == {"incidents/i9": 5} and not closed.incidents
    assert refresh_for(event(INCIDENT_STREAM, "incident.verified", "incidents/i9", 2, state="VERIFIED"), held).incidents == {"incidents/i9"}
    assert refresh_for(event("emergency.gateway.events", "plan.committed", "proposals/p"), held).commits


def test_a_status_report_the_event_describes_whole_needs_no_read() -> None:
    held = picture()
    held.units["parks/a/units/u1"].unit.incident = "incidents/i1"
    home = event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u1", 2, to="AVAILABLE", latitude=31.9, longitude=120.2, ends_hold=True)
    (after,) = refresh_for(home, held).moved
    assert (after.state, after.version, after.incident, after.position.latitude) == (AVAILABLE, 2, "", 31.9)
    skipped = event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u1", 3, to="AVAILABLE", latitude=31.9, longitude=120.2, ends_hold=True)
    assert refresh_for(skipped, held).units == {"parks/a/units/u1"}, "a version that does not follow on is read again"
    older = event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u1", 2, to="AVAILABLE", latitude=31.9, longitude=120.2)
    assert refresh_for(older, held).units == {"parks/a/units/u1"}, "an event without ends_hold is read again"


def test_a_reservation_step_the_unit_event_describes_needs_no_read() -> None:
    held = picture()
    reserved = event(
        RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u2", 4, to="RESERVED", incident="incidents/i7", reservation="reservations/r1", ends_hold=False
    )
    (after,) = refresh_for(reserved, held).moved
    assert (after.state, after.version, after.incident) == (RESERVED, 4, "incidents/i7")
    assert after.position == held.units["parks/a/units/u2"].unit.position, "a reservation step leaves the unit where it is"
    released = event(RESOURCES_STREAM, "unit.state_changed", "parks/a/units/u2", 4, to="AVAILABLE", incident="incidents/i7", ends_hold=True)
    assert refresh_for(released, held).moved[0].incident == ""


def test_a_write_carries_what_it_changed() -> None:
    moved = unit("parks/a/units/u2", 4, RESERVED)
    change = written("resources", "ReportUnitStatus", rpb.ReportUnitStatusRequest(name=moved.name), rpb.ReportUnitStatusResponse(unit=moved))
    assert change.units == [moved] and not change.refresh.reads
    hold = rpb.ReserveResourcesRequest(
        incident="incidents/i1", units=[rpb.UnitHold(unit="parks/a/units/u1")], stocks=[rpb.StockHold(stock="parks/a/depots/base/stocks/FOAM")]
    )
    change = written("resources", "ReserveResources", hold, rpb.ReserveResourcesResponse())
    assert change.refresh.units == {"parks/a/units/u1"} and change.refresh.depots == {"parks/a/depots/base"} and not change.refresh.incidents
    hold.exercise_id = "drill"
    assert not written("resources", "ReserveResources", hold, rpb.ReserveResourcesResponse()).refresh.reads
    assert written("resources", "ImportInventory", rpb.ImportInventoryRequest(), rpb.ImportInventoryResponse()).refresh.rebuild
    incident = ipb.Incident(name="incidents/i1", version=2)
    change = written("incident", "VerifyIncident", ipb.VerifyIncidentRequest(name="incidents/i1"), ipb.VerifyIncidentResponse(incident=incident))
    assert change.incidents == [incident] and not change.refresh.reads


def test_dropping_what_is_not_held_changes_nothing() -> None:
    held = picture()
    assert not held.drop(UNIT, "parks/a/units/none") and not held.drop(INCIDENT, "incidents/none")
