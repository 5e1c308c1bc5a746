"""ImportInventory in two steps: rows validated against a snapshot outside the write lock, then applied in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.errors import FieldViolation, ServiceError, invalid_argument
from services.resources import bulk
from services.resources import mapping_inventory as mi
from services.resources import mapping_requests as mq
from services.resources.domain import Inventory
from services.resources.store import ResourceStore
from services.resources.store_inventory import Existing, existing_unless_replayed


@dataclass(frozen=True)
class PreparedImport:
    """A parsed import request, validated against the park as read (None for a replayed request id)."""

    inventory: Inventory
    positions: dict[str, list[int]]
    renames: dict[str, str]
    prior: list[FieldViolation]
    upsert: bool
    existing: Existing | None
    problems: tuple[FieldViolation, ...] = ()

    def preview(self) -> pb.ImportInventoryResponse:
        """What the import would do, changing nothing; with problems, every one of them and no changes."""
        if self.problems:
            return mi.problems_response(self.problems)
        assert self.existing is not None
        return mi.import_response(bulk.summarise(self.inventory, bulk.plan_changes(self.inventory, self.existing), dry_run=True), self.positions)


def prepare(store: ResourceStore, request: pb.ImportInventoryRequest, park_id: str) -> PreparedImport:
    """Parse the rows and validate them against a snapshot of the park, outside the write lock; raise every bad row."""
    inventory, positions, prior = mi.inventory_from_rows(park_id, request.rows)
    renames = mi.row_renames(positions)
    bulk.deadline_check()
    inventory = bulk.normalise(inventory)
    existing = store.read(existing_unless_replayed, park_id, request.request_id, request.validate_only)
    if existing is not None:
        violations = bulk.validate(inventory, existing, prior=prior, upsert=request.upsert, check=bulk.deadline_check)
        if violations:
            error = mq.first_per_field(mq.with_proto_fields(invalid_argument(violations), renames))
            if not request.validate_only:
                raise error
            return PreparedImport(inventory, positions, renames, prior, request.upsert, existing, tuple(error.violations))
    return PreparedImport(inventory, positions, renames, prior, request.upsert, existing)


def apply(session: Session, prepared: PreparedImport, actor: str) -> pb.ImportInventoryResponse:
    """Apply a prepared import in the caller's transaction (validation is repeated only if the park changed since)."""
    try:
        summary = bulk.import_inventory(
            session,
            inventory=prepared.inventory,
            actor=actor,
            prior=prepared.prior,
            upsert=prepared.upsert,
            validated=prepared.existing,
            check=bulk.deadline_check,
        )
    except ServiceError as error:
        raise mq.first_per_field(mq.with_proto_fields(error, prepared.renames)) from None
    return mi.import_response(summary, prepared.positions)
