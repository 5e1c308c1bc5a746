"""Persistence of drills: the drill and its injects, their progress, the road restrictions and reserve breaches they record."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from gateway import store
from gateway.tables import DrillInjectRow, DrillRow
from services.common.db import session_scope

Event = tuple[str, dict[str, Any]]


def by_request(engine: Engine, request_id: str) -> DrillRow | None:
    """The drill a StartDrill request id created, if any."""
    with Session(engine) as session:
        return store.drill_by_request(session=session, request_id=request_id)


def insert(engine: Engine, row: DrillRow, injects: Sequence[DrillInjectRow], payload: dict[str, Any]) -> None:
    """Store a new drill with its injects and the drill.started event (a drill already stored is left as it is)."""
    with session_scope(engine) as session:
        if session.get(DrillRow, row.drill_id) is not None:
            return
        session.add(row)
        session.add_all(injects)
        store.emit(session, "drill.started", f"drills/{row.drill_id}", exercise_id=row.exercise_id, payload=payload)


def load(engine: Engine, drill_id: str) -> tuple[DrillRow, list[DrillInjectRow]]:
    """A drill and its injects in scenario order, or NOT_FOUND."""
    with Session(engine) as session:
        row = store.get_drill(session=session, drill_id=drill_id)
        return row, store.drill_injects(session=session, drill_id=drill_id)


def running_ids(engine: Engine) -> list[str]:
    """The drills not finished or aborted."""
    with Session(engine) as session:
        return [d.drill_id for d in store.running_drills(session=session)]


def page(engine: Engine, states: Collection[str], start: int, size: int) -> list[tuple[DrillRow, list[DrillInjectRow]]]:
    """Drills (in the given states, or all) newest first, from an offset: at most size rows, with their injects."""
    with Session(engine) as session:
        query = select(DrillRow)
        if states:
            query = query.where(col(DrillRow.state).in_(list(states)))
        rows = session.exec(query.order_by(col(DrillRow.start_time).desc(), col(DrillRow.drill_id)).offset(start).limit(size)).all()
        return [(row, store.drill_injects(session=session, drill_id=row.drill_id)) for row in rows]


def update_inject(engine: Engine, drill_id: str, inject_id: str, **values: object) -> None:
    """Set values on one inject of a drill."""
    with session_scope(engine) as session:
        for row in store.drill_injects(session=session, drill_id=drill_id):
            if row.inject_id == inject_id:
                for key, value in values.items():
                    setattr(row, key, value)
                session.add(row)


def update(engine: Engine, drill_id: str, event: Event | None = None, **values: object) -> None:
    """Set values on a drill, with its event if one is given."""
    with session_scope(engine) as session:
        row = store.get_drill(session=session, drill_id=drill_id)
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        if event is not None:
            store.emit(session, event[0], f"drills/{drill_id}", exercise_id=row.exercise_id, payload=event[1])


def add_road_restriction(engine: Engine, drill_id: str, restriction: dict[str, Any]) -> None:
    """Append a road restriction (proto JSON) to the drill's record."""
    with session_scope(engine) as session:
        drill = store.get_drill(session=session, drill_id=drill_id)
        items = json.loads(drill.road_restrictions)
        items.append(restriction)
        drill.road_restrictions = json.dumps(items)
        session.add(drill)


def road_restrictions(engine: Engine, exercise_id: str) -> list[dict[str, Any]]:
    """The road restrictions (proto JSON) a drill has announced in its exercise; none if no drill runs there."""
    with Session(engine) as session:
        row = session.exec(select(DrillRow).where(DrillRow.exercise_id == exercise_id)).first()
    return [] if row is None else list(json.loads(row.road_restrictions))


def note_reserve_breaches(engine: Engine, drill_id: str, below: set[str]) -> None:
    """Add the park/type pairs seen below their reserve to the drill's record, beyond those already below at its start."""
    with session_scope(engine) as session:
        drill = store.get_drill(session=session, drill_id=drill_id)
        record = json.loads(drill.reserve_breaches)
        record["seen"] = sorted(set(record["seen"]) | (below - set(record["baseline"])))
        drill.reserve_breaches = json.dumps(record)
        session.add(drill)
