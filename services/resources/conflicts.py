"""Why a reservation was refused: the reason for each conflicting item, and the one ABORTED error that lists them all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.common.errors import FieldViolation, ServiceError, aborted
from services.resources.domain import UnitState
from services.resources.names import RESERVATION


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why one requested item could not be reserved."""

    field: str
    subject: str
    reason: str
    detail: str


@dataclass(slots=True)
class ConflictReport:
    """Every conflicting item of one refused reservation."""

    conflicts: list[Conflict] = field(default_factory=list)

    def add(self, field_path: str, subject: str, reason: str, detail: str) -> None:
        """Record one conflict."""
        self.conflicts.append(Conflict(field_path, subject, reason, detail))


def unit_conflict(row: Mapping[str, Any] | None, planned_version: int) -> tuple[str, str]:
    """(reason, detail) of a unit that could not be held, from its row as the namespace sees it."""
    if row is None:
        return "UNIT_NOT_FOUND", "no such unit"
    if row["retired"]:
        return "UNIT_RETIRED", "the unit is retired"
    if row["state"] != UnitState.AVAILABLE.value:
        held = f" by {RESERVATION.format(row['reservation_id'])}" if row["reservation_id"] else ""
        return "UNIT_NOT_AVAILABLE", f"state {row['state']}{held}"
    return "UNIT_VERSION_MISMATCH", f"version {row['version']}, planned on {planned_version}"


def stock_conflict(row: Mapping[str, Any] | None, amount: int, planned_version: int) -> tuple[str, str]:
    """(reason, detail) of a stock amount that could not be held, from its row as the namespace sees it."""
    if row is None:
        return "STOCK_NOT_FOUND", "no such stock"
    if row["on_hand"] - row["reserved"] < amount:
        return "INSUFFICIENT_STOCK", f"{row['on_hand'] - row['reserved']} available, {amount} requested"
    return "STOCK_VERSION_MISMATCH", f"version {row['version']}, planned on {planned_version}"


def _request_order(conflict: Conflict) -> tuple[int, int]:
    """Sort conflicts as the request listed them: units first, then stocks, by position."""
    kind, _, rest = conflict.field.partition("[")
    return (0 if kind == "units" else 1, int(rest.rstrip("]") or 0))


MAX_CONFLICTS_NAMED = 10


def conflict_error(report: ConflictReport) -> ServiceError:
    """ABORTED listing every conflicting item in the violations and the metadata."""
    conflicts = sorted(report.conflicts, key=_request_order)
    metadata = {"conflicts": str(len(conflicts))}
    # The violations list every item; message and metadata name the first few so the trailer stays small.
    for c in conflicts[:MAX_CONFLICTS_NAMED]:
        metadata[c.field.replace("[", "_").replace("]", "")] = f"{c.reason} {c.subject}: {c.detail}"
    summary = "; ".join(f"{c.field} {c.subject}: {c.reason} ({c.detail})" for c in conflicts[:MAX_CONFLICTS_NAMED])
    if len(conflicts) > MAX_CONFLICTS_NAMED:
        summary += f"; and {len(conflicts) - MAX_CONFLICTS_NAMED} more (see the field violations)"
    error = aborted("RESERVATION_CONFLICT", f"nothing was reserved; {len(conflicts)} item(s) conflict: {summary}", metadata)
    error.violations = [FieldViolation(c.field, f"{c.reason}: {c.subject}: {c.detail}") for c in conflicts]
    return error
