"""How each stream event changes the situation read model: what to read again, what leaves, or why it must be rebuilt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format

from gateway.names import EVENT_STREAM
from gateway.readmodel_state import OPEN_STATES, Picture, depot_of

INCIDENT_STREAM = "emergency.incident.events"
RESOURCES_STREAM = "emergency.resources.events"
STREAMS = (INCIDENT_STREAM, RESOURCES_STREAM, EVENT_STREAM)

# Changes the picture takes from a fresh read of everything: rare, and they move depots, parks or rules.
STRUCTURAL = ("park.", "depot.", "inventory.", "reserve_policy.", "mutual_aid.")
# Changes the picture does not show.
UNSEEN = ("detector.", "detectors.", "exercise.")
# Gateway events that change what was committed to incidents.
COMMIT_EVENTS = ("plan.committed", "commit.compensated")


@dataclass
class Refresh:
    """What a batch of changes asks of the picture."""

    units: set[str] = field(default_factory=set)
    depots: set[str] = field(default_factory=set)
    incidents: set[str] = field(default_factory=set)
    dropped: dict[str, int] = field(default_factory=dict)
    moved: list[rpb.Unit] = field(default_factory=list)
    commits: bool = False
    rebuild: str = ""

    def merge(self, other: Refresh) -> None:
        """Add another refresh's needs to this one."""
        self.units |= other.units
        self.depots |= other.depots
        self.incidents |= other.incidents
        for name, version in other.dropped.items():
            self.dropped[name] = max(version, self.dropped.get(name, 0))
        self.incidents -= set(self.dropped)
        self.commits = self.commits or other.commits
        self.rebuild = self.rebuild or other.rebuild

    @property
    def reads(self) -> int:
        """How many subjects it reads again."""
        return len(self.units) + len(self.depots) + len(self.incidents)


def payload_of(event: gpb.Event) -> dict[str, Any]:
    """An event's payload as plain values."""
    return json_format.MessageToDict(event.payload)


def _incident(event: gpb.Event, picture: Picture) -> Refresh:
    """An incident changed: gone when no longer open, else read again unless the picture holds that version already."""
    held = picture.incidents.get(event.subject)
    if event.version and held is not None and held.version >= event.version:
        return Refresh()
    state = ipb.Incident.State.DESCRIPTOR.values_by_name.get(f"STATE_{payload_of(event).get('state', '')}")
    if state is not None and state.number not in OPEN_STATES:
        return Refresh(dropped={event.subject: event.version})
    return Refresh(incidents={event.subject})


# A reservation's steps, named by their events; the unit moves each step makes (from, to; "" for any).
STEPS = {"reservation.created": ("", "RESERVED"), "reservation.confirmed": ("RESERVED", "EN_ROUTE"), "reservation.released": ("RESERVED", "AVAILABLE")}
# Whether this replica already read back these units and depots after making the reservation's step itself.
ReadBack = Callable[[str, str, set[str], set[str]], bool]


def step_of_move(payload: dict[str, Any]) -> str:
    """The reservation step a unit's move belongs to ("" for a move no reservation step makes)."""
    for step, (before, after) in STEPS.items():
        if payload.get("to") == after and before in ("", payload.get("from")):
            return step
    return ""


def unit_after_move(held: rpb.Unit, version: int, payload: dict[str, Any]) -> rpb.Unit | None:
    """The unit after a move the event describes whole (state, whether its hold ended, its incident, a new position), or None.

    Status reports carry the position; reservation steps leave it where it was.
    """
    state = rpb.Unit.State.DESCRIPTOR.values_by_name.get(f"STATE_{payload.get('to', '')}")
    if state is None or "ends_hold" not in payload or ("latitude" in payload) != ("longitude" in payload):
        return None
    moved = rpb.Unit()
    moved.CopyFrom(held)
    moved.state, moved.version = state.number, version
    if "latitude" in payload:
        moved.position.latitude, moved.position.longitude = float(payload["latitude"]), float(payload["longitude"])
    moved.incident = "" if payload["ends_hold"] else str(payload.get("incident", held.incident))
    return moved


def reservation_refresh(event: gpb.Event) -> Refresh:
    """A reservation moved its units and stock: read them again (their names travel in the event)."""
    payload = payload_of(event)
    if "units" not in payload and "stocks" not in payload:
        return Refresh(rebuild=f"{event.type} {event.subject} does not name its units and stock")
    stocks = {depot_of(s["stock"]) for s in payload.get("stocks", []) if isinstance(s, dict) and "stock" in s}
    return Refresh(units=set(payload.get("units", [])), depots=stocks)


def _resources(event: gpb.Event, picture: Picture, read_back: ReadBack) -> Refresh:
    """A change of the resources service; the steps of this replica's own reservations were read back already."""
    kind = event.type
    if kind.startswith("unit."):
        held = picture.units.get(event.subject)
        if event.version and held is not None and held.unit.version >= event.version:
            return Refresh()
        if kind == "unit.state_changed":
            payload = payload_of(event)
            if not event.version and read_back(str(payload.get("reservation", "")), step_of_move(payload), {event.subject}, set()):
                return Refresh()
            after = unit_after_move(held.unit, event.version, payload) if held is not None and event.version == held.unit.version + 1 else None
            if after is not None:
                return Refresh(moved=[after])
        return Refresh(units={event.subject})
    if kind.startswith("stock."):
        stock = picture.stocks.get(event.subject)
        if event.version and stock is not None and stock.stock.version >= event.version:
            return Refresh()
        return Refresh(depots={depot_of(event.subject)})
    if kind.startswith("reservation."):
        moved = reservation_refresh(event)
        if moved.rebuild:
            return moved
        moved.units = set()  # each unit's move arrives as a unit.state_changed event of its own, with its version
        return Refresh() if read_back(event.subject, kind, set(), moved.depots) else moved
    if kind.startswith(UNSEEN):
        return Refresh()
    if kind.startswith(STRUCTURAL):
        return Refresh(rebuild=kind)
    return Refresh(rebuild=f"unknown event {kind!r}")


def never(reservation: str, step: str, units: set[str], depots: set[str]) -> bool:
    """Nothing was read back."""
    return False


def refresh_for(event: gpb.Event, picture: Picture, read_back: ReadBack = never) -> Refresh:
    """What one event asks of the picture; an exercise's events (drills) never reach it."""
    if event.exercise_id:
        return Refresh()
    if event.stream == INCIDENT_STREAM:
        return _incident(event, picture) if event.subject.startswith("incidents/") else Refresh()
    if event.stream == RESOURCES_STREAM:
        return _resources(event, picture, read_back)
    if event.stream == EVENT_STREAM:
        return Refresh(commits=event.type in COMMIT_EVENTS)
    return Refresh()
