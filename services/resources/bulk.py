"""Bulk import of a park's whole inventory: validated as a whole, applied in one transaction, or not at all."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

import grpc
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.common.catalogue import Catalogue, load_catalogue
from services.common.clock import utcnow
from services.common.deadline import remaining_s
from services.common.errors import FieldViolation, ServiceError, aborted, raise_if
from services.common.names import PARK
from services.resources import validation as v
from services.resources.domain import LIVE, ImportSummary, Inventory
from services.resources.events import bump_version, emit
from services.resources.store_inventory import Existing, insert_inventory, read_existing
from services.resources.store_registry import require_park
from services.resources.upsert import Change, apply_updates, plan, update_violations

MAX_IMPORT_ROWS = 50_000
DEADLINE_CHECK_EVERY = 1024
Check = Callable[[], None]
R = TypeVar("R")
K = TypeVar("K")


def deadline_check() -> None:
    """Stop work whose caller's deadline has passed: nobody is waiting for its answer."""
    left = remaining_s()
    if left is not None and left <= 0:
        raise ServiceError(grpc.StatusCode.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", "the caller's deadline passed; nothing was imported")


def _no_check() -> None:
    """No deadline to honour."""


def normalise(inventory: Inventory) -> Inventory:
    """Fill each row's park from the inventory where the row leaves it empty."""
    park = inventory.park_id
    return replace(
        inventory,
        depots=tuple(d if d.park_id else replace(d, park_id=park) for d in inventory.depots),
        units=tuple(u if u.park_id else replace(u, park_id=park) for u in inventory.units),
        stocks=tuple(s if s.park_id else replace(s, park_id=park) for s in inventory.stocks),
        reserve_policies=tuple(p if p.park_id else replace(p, park_id=park) for p in inventory.reserve_policies),
        mutual_aid=tuple(a if a.lender_park else replace(a, lender_park=park) for a in inventory.mutual_aid),
    )


def inventory_violations(
    inventory: Inventory, existing: Existing, catalogue: Catalogue, *, upsert: bool = False, check: Check = _no_check
) -> list[FieldViolation]:
    """Every problem of an import, each named by its list position and field (e.g. units[17].type), in one linear pass.

    With `upsert`, a row naming something that exists updates it; `check` is called every few rows (deadline).
    """
    park = inventory.park_id
    present: Existing = existing if not upsert else replace(existing, depots={}, units=(), stocks=(), policies=())
    out: list[FieldViolation] = []
    rows = len(inventory.depots) + len(inventory.units) + len(inventory.stocks) + len(inventory.reserve_policies) + len(inventory.mutual_aid)
    if rows == 0:
        out.append(FieldViolation("inventory", "nothing to import"))
    if rows > MAX_IMPORT_ROWS:
        out.append(FieldViolation("inventory", f"at most {MAX_IMPORT_ROWS} rows per import"))
    new_depots: dict[str, bool] = {}
    for i, depot in enumerate(inventory.depots):
        prefix = f"depots[{i}]"
        out += _owner(depot.park_id, park, prefix)
        out += v.depot_violations(depot, prefix)
        if depot.depot_id in present.depots or depot.depot_id in new_depots:
            out.append(FieldViolation(f"{prefix}.depot_id", f"depot {depot.depot_id!r} already exists"))
        new_depots[depot.depot_id] = existing.depots.get(depot.depot_id, False)
    depots = {**existing.depots, **new_depots}
    seen_units: set[str] = set()
    for i, unit in _checked(inventory.units, check):
        prefix = f"units[{i}]"
        out += _owner(unit.park_id, park, prefix) + v.unit_violations(unit, catalogue, prefix)
        if _repeated(unit.unit_id, present.units, seen_units):
            out.append(FieldViolation(f"{prefix}.unit_id", f"unit {unit.unit_id!r} already exists"))
        out += _depot_reference(depots, unit.home_depot, f"{prefix}.home_depot")
    seen_stocks: set[tuple[str, str]] = set()
    for i, stock in _checked(inventory.stocks, check):
        prefix = f"stocks[{i}]"
        out += _owner(stock.park_id, park, prefix) + v.stock_violations(stock, catalogue, prefix)
        if _repeated((stock.depot_id, stock.type), present.stocks, seen_stocks):
            out.append(FieldViolation(f"{prefix}.type", f"{stock.type} stock at depot {stock.depot_id!r} already exists"))
        out += _depot_reference(depots, stock.depot_id, f"{prefix}.depot_id")
    seen_policies: set[str] = set()
    for i, policy in enumerate(inventory.reserve_policies):
        prefix = f"reserve_policies[{i}]"
        out += _owner(policy.park_id, park, prefix) + v.policy_violations(policy, catalogue, prefix)
        if _repeated(policy.type, present.policies, seen_policies):
            out.append(FieldViolation(f"{prefix}.type", f"a reserve policy for {policy.type} already exists"))
    seen_borrowers: set[str] = set()
    for i, agreement in enumerate(inventory.mutual_aid):
        prefix = f"mutual_aid[{i}]"
        if agreement.lender_park != park:
            out.append(FieldViolation(f"{prefix}.lender_park", f"an import of {PARK.format(park)} only carries agreements it lends under"))
        out += v.mutual_aid_violations(agreement, catalogue, prefix)
        if agreement.borrower_park and agreement.borrower_park not in existing.parks:
            out.append(FieldViolation(f"{prefix}.borrower_park", f"no park {agreement.borrower_park!r}"))
        if _repeated(agreement.borrower_park, existing.aid_borrowers, seen_borrowers):
            out.append(FieldViolation(f"{prefix}.borrower_park", f"an agreement with {agreement.borrower_park!r} already exists"))
    if upsert and existing.rows is not None:
        out += update_violations(inventory, existing.rows, catalogue)
    return out


def _checked(rows: Sequence[R], check: Check) -> Iterator[tuple[int, R]]:
    """The rows with their positions, calling check (the deadline) every few rows."""
    for i, row in enumerate(rows):
        if i % DEADLINE_CHECK_EVERY == 0:
            check()
        yield i, row


def _repeated(key: K, present: Collection[K], seen: set[K]) -> bool:
    """Whether a row's key is already in the park or earlier in the import; from now on it is."""
    repeated = key in present or key in seen
    seen.add(key)
    return repeated


def _owner(row_park: str, park: str, prefix: str) -> list[FieldViolation]:
    """A row must belong to the park being imported."""
    return [] if row_park == park else [FieldViolation(f"{prefix}.park_id", f"belongs to {row_park!r}, not the imported park {park!r}")]


def _depot_reference(depots: Mapping[str, bool], depot_id: str, field: str) -> list[FieldViolation]:
    """A unit or stock must refer to an active depot of the park (existing or in the same import)."""
    if depot_id not in depots:
        return [FieldViolation(field, f"no depot {depot_id!r} in this park or this import")]
    if depots[depot_id]:
        return [FieldViolation(field, f"depot {depot_id!r} is retired")]
    return []


def validate(
    inventory: Inventory, existing: Existing, *, prior: Sequence[FieldViolation] = (), upsert: bool = False, check: Check = _no_check
) -> list[FieldViolation]:
    """Every problem of a normalised import against what the park held when `existing` was read (no lock needed)."""
    return [*prior, *inventory_violations(inventory, existing, load_catalogue(), upsert=upsert, check=check)]


def plan_changes(inventory: Inventory, existing: Existing) -> list[Change]:
    """What every row of a validated import does (create, update, unchanged)."""
    assert existing.rows is not None
    return list(plan(inventory, existing.rows, load_catalogue()))


def summarise(inventory: Inventory, changes: Sequence[Change], *, dry_run: bool) -> ImportSummary:
    """Counts of what an import creates and updates."""
    created = {kind: 0 for kind in ("depots", "units", "stocks", "reserve_policies", "mutual_aid")}
    updated = unchanged = 0
    for change in changes:
        if change.action == "create":
            created[change.kind] += 1
        elif change.action == "update":
            updated += 1
        else:
            unchanged += 1
    return ImportSummary(
        park_id=inventory.park_id,
        depots=created["depots"],
        units=created["units"],
        stocks=created["stocks"],
        reserve_policies=created["reserve_policies"],
        mutual_aid=created["mutual_aid"],
        updated=updated,
        unchanged=unchanged,
        # A dry run lists every create and update; a real import, whose creates the counts cover, only its updates.
        changes=tuple(c for c in changes if c.action == "update" or (dry_run and c.action == "create")),
        dry_run=dry_run,
    )


def import_inventory(
    session: Session,
    *,
    inventory: Inventory,
    actor: str,
    prior: Sequence[FieldViolation] = (),
    now: datetime | None = None,
    upsert: bool = False,
    validated: Existing | None = None,
    check: Check = _no_check,
) -> ImportSummary:
    """Validate the whole inventory against the park, then create and update every row in this one transaction.

    `prior` carries problems the caller found while reading the request, so one answer reports every bad row.
    `validated` is what the park held when the caller validated outside the write lock: if nothing changed
    since, validation is not repeated under the lock.
    """
    require_park(session, inventory.park_id)
    inventory = normalise(inventory)
    existing = read_existing(session, inventory.park_id)
    if validated is None or validated != existing or prior:
        raise_if(validate(inventory, existing, prior=prior, upsert=upsert, check=check))
    check()
    changes = plan_changes(inventory, existing)
    creates = _only_created(inventory, changes)
    try:
        insert_inventory(session, creates, actor, now := now or utcnow())
        assert existing.rows is not None
        apply_updates(session, inventory, changes, existing.rows, load_catalogue(), actor, now)
    except IntegrityError as exc:  # a concurrent import or registration got there between validation and insert
        raise aborted("CONCURRENT_CHANGE", f"{PARK.format(inventory.park_id)} changed during the import; nothing was imported") from exc
    summary = summarise(inventory, changes, dry_run=False)
    emit(
        session,
        "inventory.imported",
        PARK.format(inventory.park_id),
        namespace=LIVE,
        payload={
            "actor": actor,
            "depots": summary.depots,
            "units": summary.units,
            "stocks": summary.stocks,
            "reserve_policies": summary.reserve_policies,
            "mutual_aid": summary.mutual_aid,
            "updated": summary.updated,
        },
    )
    bump_version(session, LIVE)
    return summary


def _only_created(inventory: Inventory, changes: Sequence[Change]) -> Inventory:
    """The part of an inventory that creates rows."""
    created: dict[str, list[int]] = {}
    for change in changes:
        if change.action == "create":
            created.setdefault(change.kind, []).append(change.index)
    return replace(
        inventory,
        depots=tuple(inventory.depots[i] for i in created.get("depots", [])),
        units=tuple(inventory.units[i] for i in created.get("units", [])),
        stocks=tuple(inventory.stocks[i] for i in created.get("stocks", [])),
        reserve_policies=tuple(inventory.reserve_policies[i] for i in created.get("reserve_policies", [])),
        mutual_aid=tuple(inventory.mutual_aid[i] for i in created.get("mutual_aid", [])),
    )
