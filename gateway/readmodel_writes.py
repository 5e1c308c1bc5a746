"""The gateway's own writes, seen by its read model as they return: so a caller reads what it just changed on this replica."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.incident.v1 import incident_service_pb2_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from gateway.backends import Backends
from gateway.readmodel_events import Refresh
from gateway.readmodel_state import depot_of

UNIT_NAME = re.compile(r"^parks/[^/]+/units/[^/]+$")
STOCK_NAME = re.compile(r"^parks/[^/]+/depots/[^/]+/stocks/[^/]+$")
INCIDENT_NAME = re.compile(r"^incidents/[^/]+$")
READS = ("Get", "List")
# Writes that change what the picture cannot read piece by piece.
STRUCTURAL = frozenset({"ImportInventory", "SetReservePolicy", "DeleteReservePolicy", "CreateMutualAidAgreement", "DeleteMutualAidAgreement"})
STRUCTURAL_PREFIXES = ("CreatePark", "UpdatePark", "CreateDepot", "UpdateDepot", "DeleteDepot")

Observer = Callable[[str, str, Message, Message], None]


@dataclass
class Written:
    """What one write changed: entries its answer carries whole, and names to read again."""

    units: list[rpb.Unit] = field(default_factory=list)
    stocks: list[rpb.Stock] = field(default_factory=list)
    incidents: list[ipb.Incident] = field(default_factory=list)
    refresh: Refresh = field(default_factory=Refresh)
    reservations: list[rpb.Reservation] = field(default_factory=list)


def _contents(message: Message) -> Iterator[Message | str]:
    """Every message and string inside a message, depth first."""
    for descriptor, value in message.ListFields():
        values = value if descriptor.is_repeated else [value]
        if descriptor.type == FieldDescriptor.TYPE_MESSAGE:
            if descriptor.message_type.GetOptions().map_entry:
                continue
            for item in values:
                yield item
                yield from _contents(item)
        elif descriptor.type == FieldDescriptor.TYPE_STRING:
            yield from values


def in_exercise(*messages: Message) -> bool:
    """True when a request or answer belongs to an exercise (a drill's writes stay out of the live picture)."""
    for message in messages:
        for item in [message, *_contents(message)]:
            if isinstance(item, Message) and "exercise_id" in item.DESCRIPTOR.fields_by_name and item.exercise_id:  # type: ignore[attr-defined]
                return True
    return False


def written(service: str, method: str, request: Message, response: Message) -> Written:
    """What a successful write to the resources or incident service changed in the live picture."""
    result = Written()
    if method in STRUCTURAL or method.startswith(STRUCTURAL_PREFIXES):
        result.refresh.rebuild = f"{method} through this gateway"
        return result
    if in_exercise(request, response):
        return result
    names: set[str] = set()
    for item in [*_contents(request), *_contents(response)]:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, rpb.Unit) and item.name:
            result.units.append(item)
        elif isinstance(item, rpb.Stock) and item.name:
            result.stocks.append(item)
        elif isinstance(item, ipb.Incident) and item.name:
            result.incidents.append(item)
        elif isinstance(item, rpb.Reservation):
            result.reservations.append(item)
    whole = {u.name for u in result.units} | {s.name for s in result.stocks} | {i.name for i in result.incidents}
    if service == "resources":
        result.refresh.units = {n for n in names if UNIT_NAME.match(n)} - whole
        result.refresh.depots = {depot_of(n) for n in names if STOCK_NAME.match(n) and n not in whole}
    else:
        result.refresh.incidents = {n for n in names if INCIDENT_NAME.match(n)} - whole
    return result


class ObservedStub:
    """A backend stub whose successful writes are told to an observer; reads pass straight through."""

    def __init__(self, stub: Any, service: str, observer: Observer) -> None:
        self._stub = stub
        self._service = service
        self._observer = observer
        self._methods: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._stub, name)
        if name.startswith(READS):
            return method
        if name not in self._methods:

            async def observed(request: Message, **kwargs: Any) -> Message:
                response: Message = await method(request, **kwargs)
                self._observer(self._service, name, request, response)
                return response

            self._methods[name] = observed
        return self._methods[name]


def observe_writes(backends: Backends, observer: Observer) -> None:
    """Let the observer see every write the gateway makes to the resources and incident services."""
    backends.resources = cast(resources_service_pb2_grpc.ResourceServiceStub, ObservedStub(backends.resources, "resources", observer))
    backends.incident = cast(incident_service_pb2_grpc.IncidentServiceStub, ObservedStub(backends.incident, "incident", observer))
