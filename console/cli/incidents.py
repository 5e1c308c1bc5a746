"""Console commands for an incident after its report: list, show, verify, level, cancel, units on scene and home, contain, close, watch."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import typer
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format

from console.cli import views
from console.cli.common import GATEWAY_OPTION, LEVELS, Metadata, all_pages, choice, console, full_name, metadata, run, unit_name

STATES = ("REPORTED", "VERIFIED", "DISPATCHING", "RESPONDING", "CONTAINED", "CLOSED", "CANCELLED")
Stub = gpb_grpc.CommandCenterServiceStub


INCIDENT_ARGUMENT = typer.Argument(..., help="The incident.")
VERSION_OPTION = typer.Option(0, help="The version you saw (0: read it now).")
REQUEST_ID_OPTION = typer.Option("", help="Request id.")


def _request_id(given: str) -> str:
    """The given request id, or a fresh one."""
    return given or str(uuid.uuid4())


def _change(gateway: str, send: Callable[[Stub, Metadata], Awaitable[Any]], what: str) -> Any:
    """Send one change of an incident, print the incident after it, and return the answer."""
    auth = metadata()
    reply = run(gateway, lambda stub: send(stub, auth))
    console.print(views.incident_line(reply.incident, what))
    return reply


def incidents(
    state: list[str] = typer.Option(None, "--state", help=f"Only these states (repeatable): {', '.join(STATES)}."),
    park: str = typer.Option("", help="Only this park."),
    severity: list[str] = typer.Option(None, "--severity", help="Only these levels (repeatable): I, II, III, IV."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    open_only: bool = typer.Option(False, "--open", help="Only incidents not closed or cancelled."),
    page_size: int = typer.Option(50, help="Rows per page."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """List incidents with their version, elapsed time, committed units and unmet demand."""
    states = [choice(ipb.Incident.State, s, "--state", prefix="STATE_", allowed=STATES) for s in state or []]
    if open_only:
        states = states or [ipb.Incident.State.Value(f"STATE_{s}") for s in STATES[:5]]
    levels = [choice(common_pb2.Severity, s, "--severity", prefix="SEVERITY_", allowed=LEVELS) for s in severity or []]
    auth = metadata()
    request = gpb.ListIncidentsRequest(states=states, park_id=park, severities=levels, exercise_id=exercise, page_size=page_size)  # type: ignore[arg-type]
    console.print(views.incident_list(run(gateway, lambda stub: all_pages(stub.ListIncidents, request, "incidents", auth))))


def show(incident: str = typer.Argument(..., help="The incident: inc-... or incidents/inc-..."), gateway: str = GATEWAY_OPTION) -> None:
    """One incident: details, demands, units with their states, supplies, holds, unmet demand and the timeline."""
    name = full_name(incident, "incidents")
    auth = metadata()

    async def work(stub: Stub) -> tuple[gpb.GetIncidentResponse, list[gpb.IncidentTimelineEntry]]:
        got = await stub.GetIncident(gpb.GetIncidentRequest(name=name), metadata=auth)
        return got, await all_pages(stub.ListIncidentTimeline, gpb.ListIncidentTimelineRequest(incident=name, page_size=1000), "entries", auth)

    got, entries = run(gateway, work)
    console.print(views.incident_detail(got))
    console.print(views.timeline(name, entries))


def verify(
    incident: str = INCIDENT_ARGUMENT,
    note: str = typer.Option("", help="How it was confirmed."),
    version: int = VERSION_OPTION,
    request_id: str = typer.Option("", help="Request id (a retry with the same id returns the first answer)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Confirm a reported incident."""
    request = gpb.VerifyIncidentRequest(request_id=_request_id(request_id), incident=full_name(incident, "incidents"), version=version, note=note)
    _change(gateway, lambda stub, auth: stub.VerifyIncident(request, metadata=auth), "verified")


def severity(
    incident: str = INCIDENT_ARGUMENT,
    level: str = typer.Argument(..., help="The new level: I, II, III or IV."),
    reason: str = typer.Option(..., help="Why the level changes."),
    version: int = VERSION_OPTION,
    request_id: str = REQUEST_ID_OPTION,
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Change an incident's response level."""
    value = choice(common_pb2.Severity, level, "LEVEL", prefix="SEVERITY_", allowed=LEVELS)
    request = gpb.ChangeSeverityRequest(
        request_id=_request_id(request_id),
        incident=full_name(incident, "incidents"),
        version=version,
        severity=value,  # type: ignore[arg-type]
        reason=reason,
    )
    _change(gateway, lambda stub, auth: stub.ChangeSeverity(request, metadata=auth), "level changed")


def cancel(
    incident: str = INCIDENT_ARGUMENT,
    reason: str = typer.Option(..., help="Why: false alarm, duplicate of ..."),
    version: int = VERSION_OPTION,
    request_id: str = REQUEST_ID_OPTION,
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Cancel an incident: every hold released, every unit turned back, the reason recorded."""
    request = gpb.CancelIncidentRequest(request_id=_request_id(request_id), incident=full_name(incident, "incidents"), version=version, reason=reason)
    reply = _change(gateway, lambda stub, auth: stub.CancelIncident(request, metadata=auth), "cancelled")
    for name in reply.released_reservations:
        console.print(f"  released {name}", soft_wrap=True)
    console.print(views.moves(reply.units))


def _units(stub: Stub, auth: Any, incident: str, given: list[str]) -> Any:
    """Full unit names: as given (parks/p/units/u, p/u), or a bare unit id matched among the incident's units."""

    async def resolve() -> list[str]:
        if not given:
            return []
        bare = [u for u in given if "/" not in u]
        known: list[str] = []
        if bare:
            known = [u.unit.name for u in (await stub.GetIncident(gpb.GetIncidentRequest(name=incident), metadata=auth)).units]
        found = []
        for text in given:
            if "/" in text:
                found.append(unit_name(text))
                continue
            matches = [k for k in known if k.rsplit("/", 1)[1] == text]
            if len(matches) != 1:
                console.print(f"[red]{text!r} is not a unit committed to {incident}[/red]; name it as parks/{{park}}/units/{{unit}}")
                raise typer.Exit(2)
            found.append(matches[0])
        return found

    return resolve()


def _move(incident: str, units: list[str], state: int, reason: str, request_id: str, gateway: str) -> None:
    """Move the units (or all of the incident's) and print what happened to each."""
    name = full_name(incident, "incidents")
    auth = metadata()

    async def work(stub: Stub) -> gpb.UpdateUnitStatusResponse:
        names = await _units(stub, auth, name, units)
        request = gpb.UpdateUnitStatusRequest(request_id=_request_id(request_id), incident=name, units=names, state=state, reason=reason)  # type: ignore[arg-type]
        moved: gpb.UpdateUnitStatusResponse = await stub.UpdateUnitStatus(request, metadata=auth)
        return moved

    reply = run(gateway, work)
    console.print(f"{reply.moved} of {len(reply.moves)} unit(s) moved to {rpb.Unit.State.Name(state).removeprefix('STATE_')}")
    console.print(views.moves(reply.moves))


UNITS_ARGUMENT = typer.Argument(None, help="Units (parks/p/units/u, p/u or the unit id); none for every unit of the incident.")


def on_scene(incident: str = INCIDENT_ARGUMENT, units: list[str] = UNITS_ARGUMENT, request_id: str = REQUEST_ID_OPTION, gateway: str = GATEWAY_OPTION) -> None:
    """Units have arrived at the incident."""
    _move(incident, units or [], rpb.Unit.STATE_ON_SCENE, "", request_id, gateway)


def returning(incident: str = INCIDENT_ARGUMENT, units: list[str] = UNITS_ARGUMENT, request_id: str = REQUEST_ID_OPTION, gateway: str = GATEWAY_OPTION) -> None:
    """Units are on their way home."""
    _move(incident, units or [], rpb.Unit.STATE_RETURNING, "", request_id, gateway)


def available(incident: str = INCIDENT_ARGUMENT, units: list[str] = UNITS_ARGUMENT, request_id: str = REQUEST_ID_OPTION, gateway: str = GATEWAY_OPTION) -> None:
    """Units are back at their home depots and free."""
    _move(incident, units or [], rpb.Unit.STATE_AVAILABLE, "", request_id, gateway)


def contain(
    incident: str = INCIDENT_ARGUMENT,
    note: str = typer.Option("", help="A note for the timeline."),
    version: int = VERSION_OPTION,
    request_id: str = REQUEST_ID_OPTION,
    gateway: str = GATEWAY_OPTION,
) -> None:
    """The hazard is under control."""
    request = gpb.ContainIncidentRequest(request_id=_request_id(request_id), incident=full_name(incident, "incidents"), version=version, note=note)
    _change(gateway, lambda stub, auth: stub.ContainIncident(request, metadata=auth), "contained")


def close(
    incident: str = INCIDENT_ARGUMENT,
    outcome: str = typer.Option(..., help="What happened in the end."),
    units_available: bool = typer.Option(False, "--units-available", help="Units are back at once (else RETURNING until they report back)."),
    case: bool = typer.Option(False, "--case", help="Turn the after-action report into a new accident case."),
    version: int = VERSION_OPTION,
    request_id: str = REQUEST_ID_OPTION,
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Close a contained incident: units return, unconfirmed holds released, the after-action report stored."""
    request = gpb.CloseIncidentRequest(
        request_id=_request_id(request_id),
        incident=full_name(incident, "incidents"),
        version=version,
        outcome_summary=outcome,
        units_available=units_available,
        create_case=case,
    )
    reply = _change(gateway, lambda stub, auth: stub.CloseIncident(request, metadata=auth), "closed")
    console.print(views.moves(reply.units))
    if reply.report.name:
        console.print(views.after_action(reply.report))
    if reply.accident_case.name:
        console.print(f"new accident case: {reply.accident_case.name}", soft_wrap=True)


def watch(
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    event_type: list[str] = typer.Option(None, "--type", help="Only these event types (repeatable)."),
    incidents_only: bool = typer.Option(False, "--incidents-only", help="Only events of incidents themselves (reported, verified, closed ...)."),
    from_start: bool = typer.Option(False, help="Replay each stream from its beginning."),
    after: list[str] = typer.Option(None, help="Resume after stream=id (repeatable)."),
    limit: int = typer.Option(0, help="Stop after this many events (0: until Ctrl-C)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """One readable line per event (time, what, incident, park, new state); Ctrl-C stops and prints where to resume."""
    auth = metadata()
    request = gpb.WatchEventsRequest(exercise_id=exercise, types=event_type or [], from_start=from_start, after_ids=after or [])
    last: dict[str, str] = {}
    known: dict[str, ipb.Incident | None] = {}

    async def incident_of(stub: Stub, name: str) -> ipb.Incident | None:
        if name and name not in known:
            try:
                known[name] = (await stub.GetIncident(gpb.GetIncidentRequest(name=name), metadata=auth)).incident
            except Exception:  # an incident we may not read, or one gone: the line shows the name alone
                known[name] = None
        return known.get(name)

    async def stream(stub: Stub) -> None:
        seen = 0
        async for item in stub.WatchEvents(request, metadata=auth):
            event = item.event
            last[event.stream] = event.id
            if incidents_only and not (event.type.startswith("incident.") and event.subject.startswith("incidents/")):
                continue
            payload = json_format.MessageToDict(event.payload)
            name = event.subject if event.subject.startswith("incidents/") else str(payload.get("incident", ""))
            if name.startswith("incidents/") and event.subject.startswith("incidents/"):
                known.pop(name, None)  # the incident changed: read its title and state again
            console.print(views.event_line(event, payload, await incident_of(stub, name)), soft_wrap=True)
            seen += 1
            if limit and seen >= limit:
                return

    with contextlib.suppress(KeyboardInterrupt):
        run(gateway, stream)
    if last:
        console.print("resume with: " + " ".join(f"--after {s}={i}" for s, i in sorted(last.items())), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the incident commands to the console."""
    for command in (incidents, show, verify, severity, cancel, contain, close, watch):
        app.command()(command)
    app.command(name="on-scene")(on_scene)
    app.command()(returning)
    app.command()(available)
