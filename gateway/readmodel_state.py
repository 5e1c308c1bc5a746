"""The situation read model's state: live units, stock and open incidents with their versions, and the views read from them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf.message import Message

from gateway.planning import World
from services.common.catalogue import load_catalogue

OPEN_STATES = (
    ipb.Incident.STATE_REPORTED,
    ipb.Incident.STATE_VERIFIED,
    ipb.Incident.STATE_DISPATCHING,
    ipb.Incident.STATE_RESPONDING,
    ipb.Incident.STATE_CONTAINED,
)
AWAY_STATES = (rpb.Unit.STATE_RESERVED, rpb.Unit.STATE_EN_ROUTE, rpb.Unit.STATE_ON_SCENE, rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_OUT_OF_SERVICE)
# Units an availability snapshot counts as committed to incidents (the resources service's rule).
COMMITTED_STATES = (rpb.Unit.STATE_RESERVED, rpb.Unit.STATE_EN_ROUTE, rpb.Unit.STATE_ON_SCENE)

# Kinds of stored item: one row per unit, stock and open incident; one row each for the depots and for the rules.
UNIT, STOCK, INCIDENT, DEPOTS, RULES = "unit", "stock", "incident", "depots", "rules"
WHOLE = "-"
GONE_REMEMBERED = 100_000


def parts(name: str) -> list[str]:
    """The ids in a resource name: "parks/p/units/u" -> ["p", "u"]."""
    return name.split("/")[1::2]


def depot_of(name: str) -> str:
    """The depot a stock name belongs to: "parks/p/depots/d/stocks/t" -> "parks/p/depots/d"."""
    return "/".join(name.split("/")[:4])


def newest_first(incident: ipb.Incident) -> tuple[int, int, str]:
    """Sort key of the incident service's order (newest report first)."""
    return (-incident.create_time.seconds, -incident.create_time.nanos, incident.name)


@dataclass
class Picture:
    """Everything live the situation shows and plans are made on, each entry at the version its service last reported."""

    units: dict[str, rpb.AvailableUnit] = field(default_factory=dict)
    stocks: dict[str, rpb.AvailableStock] = field(default_factory=dict)
    incidents: dict[str, ipb.Incident] = field(default_factory=dict)
    depots: dict[str, rpb.Depot] = field(default_factory=dict)
    rules: rpb.GetAvailabilitySnapshotResponse = field(default_factory=rpb.GetAvailabilitySnapshotResponse)
    gone: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    changed: set[tuple[str, str]] = field(default_factory=set)
    _views: dict[Any, Any] = field(default_factory=dict)

    # ---- changes -------------------------------------------------------------------------------------------------

    def _touch(self, kind: str, key: str) -> None:
        self.generation += 1
        self.changed.add((kind, key))
        self._views.clear()

    def _stale(self, name: str, version: int, held: int | None) -> bool:
        """True when what we hold (or removed) is newer than this version."""
        return (held is not None and held > version) or self.gone.get(name, -1) > version

    def _keep(self, kind: str, name: str, held: Message | None, entry: Message) -> bool:
        """Hold an entry in place of what was held; False when it is the same."""
        if held == entry:
            return False
        self._table(kind)[name] = entry
        self._touch(kind, name)
        return True

    def put_unit(self, unit: rpb.Unit) -> bool:
        """Take a unit as its service reports it (a retired one leaves); False when nothing changed."""
        if unit.state == rpb.Unit.STATE_RETIRED:
            return self.drop(UNIT, unit.name, unit.version)
        held = self.units.get(unit.name)
        if self._stale(unit.name, unit.version, held.unit.version if held else None):
            return False
        depot = self.depots.get(f"parks/{unit.park_id}/depots/{unit.home_depot_id}")
        entry = load_catalogue().get(unit.resource_type)
        available = rpb.AvailableUnit(unit=unit, vehicle_class=entry.vehicle_class if entry else "")
        if depot is not None and depot.HasField("location"):
            available.home_location.CopyFrom(depot.location)
        return self._keep(UNIT, unit.name, held, available)

    def put_stock(self, stock: rpb.Stock) -> bool:
        """Take a stock as its service reports it; False when nothing changed."""
        held = self.stocks.get(stock.name)
        if self._stale(stock.name, stock.version, held.stock.version if held else None):
            return False
        depot = self.depots.get(depot_of(stock.name))
        available = rpb.AvailableStock(stock=stock, available=stock.on_hand - stock.reserved, park_id=parts(stock.name)[0], shared=bool(depot and depot.shared))
        return self._keep(STOCK, stock.name, held, available)

    def put_incident(self, incident: ipb.Incident) -> bool:
        """Take a live incident as its service reports it (one no longer open leaves); False when nothing changed."""
        if incident.exercise_id:
            return False
        if incident.state not in OPEN_STATES:
            return self.drop(INCIDENT, incident.name, incident.version)
        held = self.incidents.get(incident.name)
        if self._stale(incident.name, incident.version, held.version if held else None):
            return False
        return self._keep(INCIDENT, incident.name, held, incident)

    def _table(self, kind: str) -> dict[str, Any]:
        """The entries of one kind: units, stocks or incidents."""
        tables: dict[str, dict[str, Any]] = {UNIT: self.units, STOCK: self.stocks, INCIDENT: self.incidents}
        return tables[kind]

    def drop(self, kind: str, name: str, version: int = 0) -> bool:
        """Remove a unit, stock or incident (remembering the version it left at); False if it was not there."""
        self.gone[name] = max(version, self.gone.pop(name, 0))
        if len(self.gone) > GONE_REMEMBERED:
            del self.gone[next(iter(self.gone))]
        if self._table(kind).pop(name, None) is None:
            return False
        self._touch(kind, name)
        return True

    def set_depots(self, depots: Iterable[rpb.Depot]) -> None:
        """Replace the depots (their positions place units and stock)."""
        self.depots = {d.name: d for d in depots}
        self._touch(DEPOTS, WHOLE)

    def set_rules(self, first_page: rpb.GetAvailabilitySnapshotResponse) -> None:
        """Keep the reserve policies, agreements, parks and snapshot version of a snapshot's first page."""
        self.rules = rpb.GetAvailabilitySnapshotResponse(
            snapshot_version=first_page.snapshot_version, reserve_policies=first_page.reserve_policies, agreements=first_page.agreements, parks=first_page.parks
        )
        self._touch(RULES, WHOLE)

    def note_snapshot_version(self, version: int) -> None:
        """Remember a newer snapshot version the resources service reported."""
        if version > self.rules.snapshot_version:
            self.rules.snapshot_version = version
            self._touch(RULES, WHOLE)

    # ---- views ---------------------------------------------------------------------------------------------------

    def _view(self, key: Any, build: Any) -> Any:
        """A view computed once per generation."""
        if key not in self._views:
            self._views[key] = build()
        return self._views[key]

    def _units_in(self, states: Collection[int]) -> list[rpb.AvailableUnit]:
        units: list[rpb.AvailableUnit] = self._view(
            ("units", tuple(states)), lambda: [u for _, u in sorted((parts(n), u) for n, u in self.units.items() if u.unit.state in states)]
        )
        return units

    def open_incidents(self) -> list[ipb.Incident]:
        """Open live incidents, newest first."""
        return self._view("incidents", lambda: sorted(self.incidents.values(), key=newest_first))  # type: ignore[no-any-return]

    def units_away(self) -> list[rpb.Unit]:
        """Units not available at home, by park and id."""
        return [u.unit for u in self._units_in(AWAY_STATES)]

    def low_stocks(self) -> list[rpb.Stock]:
        """Stock at or below its minimum, by park, depot and type."""
        ordered = self._view("stocks", lambda: [s for _, s in sorted((parts(n), s) for n, s in self.stocks.items())])
        return [s.stock for s in ordered if s.stock.on_hand - s.stock.reserved <= s.stock.minimum_level]

    def available_count(self) -> int:
        """Units available at home."""
        return len(self._units_in((rpb.Unit.STATE_AVAILABLE,)))

    def world(self, resource_types: Collection[str] = ()) -> World:
        """What an availability snapshot of these types (or all) would say, as copies the caller may keep."""
        wanted = set(resource_types)

        def kept(type_code: str) -> bool:
            return not wanted or type_code in wanted

        stocks = self._view("stocks", lambda: [s for _, s in sorted((parts(n), s) for n, s in self.stocks.items())])
        return World(
            snapshot_version=self.rules.snapshot_version,
            units=[copied(u) for u in self._units_in((rpb.Unit.STATE_AVAILABLE,)) if kept(u.unit.resource_type)],
            committed=[copied(u) for u in self._units_in(COMMITTED_STATES) if kept(u.unit.resource_type)],
            stocks=[copied(s) for s in stocks if kept(s.stock.resource_type)],
            policies=[copied(p) for p in self.rules.reserve_policies if kept(p.resource_type)],
            agreements=[copied(a) for a in self.rules.agreements],
            parks=[copied(p) for p in self.rules.parks],
        )

    # ---- stored form ---------------------------------------------------------------------------------------------

    def item(self, kind: str, key: str) -> tuple[int, bytes] | None:
        """(version, serialised body) of one item, or None when it is no longer held."""
        found: Message | None
        if kind == DEPOTS:
            return 0, rpb.ListDepotsResponse(depots=list(self.depots.values())).SerializeToString()
        if kind == RULES:
            return self.rules.snapshot_version, self.rules.SerializeToString()
        found = self._table(kind).get(key)
        if found is None:
            return None
        return version_of(found), found.SerializeToString()

    def all_keys(self) -> list[tuple[str, str]]:
        """Every item's (kind, key)."""
        keys = [(DEPOTS, WHOLE), (RULES, WHOLE)]
        keys += [(UNIT, n) for n in self.units] + [(STOCK, n) for n in self.stocks] + [(INCIDENT, n) for n in self.incidents]
        return keys

    @classmethod
    def from_items(cls, items: Iterable[tuple[str, str, bytes]]) -> Picture:
        """A picture from stored (kind, key, body) items."""
        picture = cls()
        for kind, key, body in items:
            if kind == UNIT:
                picture.units[key] = rpb.AvailableUnit.FromString(body)
            elif kind == STOCK:
                picture.stocks[key] = rpb.AvailableStock.FromString(body)
            elif kind == INCIDENT:
                picture.incidents[key] = ipb.Incident.FromString(body)
            elif kind == DEPOTS:
                picture.depots = {d.name: d for d in rpb.ListDepotsResponse.FromString(body).depots}
            elif kind == RULES:
                picture.rules = rpb.GetAvailabilitySnapshotResponse.FromString(body)
        return picture

    def same_as(self, other: Picture) -> bool:
        """True when both hold the same entries (what a fresh rebuild is compared with)."""
        return (self.units, self.stocks, self.incidents, self.depots) == (other.units, other.stocks, other.incidents, other.depots) and (
            self.rules.reserve_policies,
            self.rules.agreements,
            self.rules.parks,
        ) == (other.rules.reserve_policies, other.rules.agreements, other.rules.parks)


def copied(message: Any) -> Any:
    """A copy of a message, so a caller's changes never reach the picture."""
    clone = type(message)()
    clone.CopyFrom(message)
    return clone


def version_of(message: Message) -> int:
    """The version of a held unit, stock or incident."""
    if isinstance(message, rpb.AvailableUnit):
        return int(message.unit.version)
    if isinstance(message, rpb.AvailableStock):
        return int(message.stock.version)
    return int(getattr(message, "version", 0))
