"""A park's inventory from a CSV or JSON file, as the rows of one import; every bad row is reported, not only the first.

An example CSV ships as examples/inventory-ligang.csv. Ids are the last segment of the resource name (lg-fire-9);
with `emergency import --upsert` a row whose id (for stock: depot and type; for a policy: type) exists updates it.

JSON: a list of InventoryRow objects in proto JSON (or {"rows": [...]}), e.g.
  [{"depot": {"name": "parks/ligang/depots/lg-fire-1", "displayName": "...", "kind": "KIND_FIRE_STATION", "location": {...}}}, ...]
CSV: one row per line with a `kind` column (depot, unit, stock, reserve_policy) and the columns that kind uses:
  depot:          id, name, depot_kind (FIRE_STATION, RESCUE_BASE, SUPPLY_WAREHOUSE), latitude, longitude, shared
  unit:           id, resource_type, call_sign, home_depot, crew_size, capabilities (separated by ; or spaces)
  stock:          depot, resource_type, on_hand, minimum_level
  reserve_policy: resource_type, minimum
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format

from services.common.names import DEPOT, PARK, STOCK, UNIT


class InventoryFileError(ValueError):
    """File rows that cannot be read, each with where it is."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


def _number(row: dict[str, str], key: str, where: str, default: float | None = None) -> float:
    """A numeric column."""
    text = (row.get(key) or "").strip()
    if not text:
        if default is not None:
            return default
        raise InventoryFileError(f"{where}: column {key!r} is required")
    try:
        return float(text)
    except ValueError as exc:
        raise InventoryFileError(f"{where}: column {key!r} must be a number, not {text!r}") from exc


def _required(row: dict[str, str], key: str, where: str) -> str:
    """A text column that must not be empty."""
    text = (row.get(key) or "").strip()
    if not text:
        raise InventoryFileError(f"{where}: column {key!r} is required")
    return text


def csv_row(row: dict[str, str], park_id: str, where: str) -> rpb.InventoryRow:
    """One CSV line as an inventory row."""
    kind = (row.get("kind") or "").strip().lower()
    if kind == "depot":
        depot_id = _required(row, "id", where)
        return rpb.InventoryRow(
            depot=rpb.Depot(
                name=DEPOT.format(park_id, depot_id),
                display_name=_required(row, "name", where),
                kind=f"KIND_{_required(row, 'depot_kind', where).upper()}",
                location=common_pb2.GeoPoint(latitude=_number(row, "latitude", where), longitude=_number(row, "longitude", where)),
                shared=(row.get("shared") or "").strip().lower() in ("1", "true", "yes"),
            )
        )
    if kind == "unit":
        unit_id = _required(row, "id", where)
        capabilities = [c for c in (row.get("capabilities") or "").replace(";", " ").split() if c]
        return rpb.InventoryRow(
            unit=rpb.Unit(
                name=UNIT.format(park_id, unit_id),
                resource_type=_required(row, "resource_type", where),
                call_sign=_required(row, "call_sign", where),
                home_depot_id=_required(row, "home_depot", where),
                crew_size=int(_number(row, "crew_size", where, 0)),
                capabilities=capabilities,
            )
        )
    if kind == "stock":
        depot, resource_type = _required(row, "depot", where), _required(row, "resource_type", where)
        return rpb.InventoryRow(
            stock=rpb.Stock(
                name=STOCK.format(park_id, depot, resource_type),
                resource_type=resource_type,
                on_hand=_number(row, "on_hand", where),
                minimum_level=_number(row, "minimum_level", where, 0),
            )
        )
    if kind == "reserve_policy":
        return rpb.InventoryRow(
            reserve_policy=rpb.ReservePolicy(park_id=park_id, resource_type=_required(row, "resource_type", where), minimum=_number(row, "minimum", where))
        )
    raise InventoryFileError(f"{where}: kind must be depot, unit, stock or reserve_policy, not {kind!r}")


def _json_rows(path: Path) -> list[Any]:
    """The row objects of a JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise InventoryFileError(f"{path}: expected a list of rows or an object with 'rows'")
    return rows


def count_rows(path: Path) -> int:
    """How many rows the file holds (for a progress bar)."""
    if path.suffix.lower() == ".json":
        return len(_json_rows(path))
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def read_rows(path: Path, park_id: str) -> Iterator[rpb.InventoryRow | InventoryFileError]:
    """Yield the file's rows one by one; a bad row yields an InventoryFileError naming its line or index instead."""
    if path.suffix.lower() == ".json":
        for index, item in enumerate(_json_rows(path)):
            try:
                yield json_format.ParseDict(item, rpb.InventoryRow())
            except json_format.ParseError as exc:
                yield InventoryFileError(f"{path} rows[{index}]: {exc}")
        return
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                yield csv_row(row, park_id, f"{path}:{line}")
            except InventoryFileError as exc:
                yield exc


def read_inventory(path: Path, park_id: str, request_id: str, on_row: Callable[[], None] = lambda: None) -> rpb.ImportInventoryRequest:
    """The whole file as one import request for the park; raise one InventoryFileError listing every bad row."""
    rows: list[rpb.InventoryRow] = []
    problems: list[str] = []
    try:
        for row in read_rows(path, park_id):
            if isinstance(row, InventoryFileError):
                problems.append(str(row))
            else:
                rows.append(row)
            on_row()
    except (json.JSONDecodeError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(f"{path}: not a readable {'JSON' if path.suffix.lower() == '.json' else 'CSV'} file: {exc}")
    if problems:
        raise InventoryFileError(f"{len(problems)} bad row(s) in {path}; nothing was sent", problems)
    return rpb.ImportInventoryRequest(request_id=request_id, parent=PARK.format(park_id), rows=rows)
