"""ImportInventory requests and answers: import rows to a domain inventory, where each row came from, and the answer."""

from __future__ import annotations

from collections.abc import Sequence

from emergency.resources.v1 import resources_service_pb2 as pb

from services.common.errors import FieldViolation
from services.common.names import DEPOT, STOCK, UNIT
from services.resources import mapping as mp
from services.resources import mapping_requests as mq
from services.resources.domain import Depot, ImportSummary, Inventory, ReservePolicy, Stock, Unit

# Domain list names and the row field each comes from.
ROW_KINDS = {"depots": "depot", "units": "unit", "stocks": "stock", "reserve_policies": "reserve_policy"}


def inventory_from_rows(park_id: str, rows: Sequence[pb.InventoryRow]) -> tuple[Inventory, dict[str, list[int]], list[FieldViolation]]:
    """The domain inventory of import rows, where each row came from, and problems only the proto form can have.

    A row whose name does not fit its pattern keeps the whole name as its id, which the rules then refuse.
    """
    positions: dict[str, list[int]] = {"depot": [], "unit": [], "stock": [], "reserve_policy": []}
    prior: list[FieldViolation] = []
    depots: list[Depot] = []
    units: list[Unit] = []
    stocks: list[Stock] = []
    policies_: list[ReservePolicy] = []
    for index, row in enumerate(rows):
        which = row.WhichOneof("item")
        prefix = f"rows[{index}].{which}"
        if which is None:
            prior.append(FieldViolation(f"rows[{index}]", "set one of depot, unit, stock or reserve_policy"))
            continue
        positions[which].append(index)
        if which == "depot":
            owner, depot_id = DEPOT.match(row.depot.name) or (park_id, row.depot.name)
            depots.append(mp.depot_from_pb(owner, depot_id, row.depot, prior, prefix=prefix))
        elif which == "unit":
            owner, unit_id = UNIT.match(row.unit.name) or (park_id, row.unit.name)
            prior += mp.unit_output_only_violations(row.unit, prefix, owner)
            units.append(mp.unit_from_pb(owner, unit_id, row.unit))
        elif which == "stock":
            owner, depot_id, type_code = STOCK.match(row.stock.name) or (park_id, row.stock.name, "")
            if row.stock.resource_type and row.stock.resource_type != type_code:
                prior.append(FieldViolation(f"{prefix}.resource_type", f"differs from the type in the name ({type_code!r})"))
            prior += mp.stock_output_only_violations(row.stock, prefix)
            on_hand = mp.whole(row.stock.on_hand, f"{prefix}.on_hand", prior)
            minimum = mp.whole(row.stock.minimum_level, f"{prefix}.minimum_level", prior)
            stocks.append(Stock(owner, depot_id, type_code, on_hand=on_hand, minimum_level=minimum))
        else:
            policy = row.reserve_policy
            minimum = mp.whole(policy.minimum, f"{prefix}.minimum", prior)
            policies_.append(ReservePolicy(policy.park_id or park_id, policy.resource_type, minimum))
    inventory = Inventory(park_id, tuple(depots), tuple(units), tuple(stocks), tuple(policies_))
    return inventory, positions, prior


def row_renames(positions: dict[str, list[int]]) -> dict[str, str]:
    """Where the import rows carry the fields that domain violations name by list position (units[3] -> rows[7].unit)."""
    return {
        **mq.index_renames("depots", positions["depot"], "depot", ("depot_id", "park_id")),
        **mq.index_renames("units", positions["unit"], "unit", ("unit_id", "park_id")),
        **mq.index_renames("stocks", positions["stock"], "stock", ("depot_id", "park_id")),
        **mq.index_renames("reserve_policies", positions["reserve_policy"], "reserve_policy"),
    }


def import_response(summary: ImportSummary, positions: dict[str, list[int]]) -> pb.ImportInventoryResponse:
    """The answer: counts, and each create or update with the request row it came from."""
    return pb.ImportInventoryResponse(
        depots_created=summary.depots,
        units_created=summary.units,
        stocks_received=summary.stocks,
        policies_set=summary.reserve_policies,
        updated=summary.updated,
        unchanged=summary.unchanged,
        validate_only=summary.dry_run,
        changes=[
            pb.InventoryChange(row=positions[ROW_KINDS[c.kind]][c.index] if c.kind in ROW_KINDS else c.index, action=c.action, target=c.target, fields=c.fields)
            for c in summary.changes
        ],
    )


def problems_response(problems: Sequence[FieldViolation]) -> pb.ImportInventoryResponse:
    """The answer of a dry run that found problems: every one of them, and no changes."""
    return pb.ImportInventoryResponse(validate_only=True, problems=[pb.InventoryProblem(field=p.field, description=p.description) for p in problems])
