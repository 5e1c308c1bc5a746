"""Names only the gateway makes: its event stream, ids fixed by their parts, backend request ids, and stock names of a depot."""

from __future__ import annotations

import hashlib
import uuid

from services.common.names import NamePattern, collection

EVENT_STREAM = "emergency.gateway.events"
# A proposal or a scenario is named by whatever follows its collection; the backend that owns it says whether it exists.
PROPOSAL = collection("proposals", rule="(?s:.+)")
SCENARIO = collection("scenarios", rule="(?s:.+)")
# A unit named in a plan override: its unit id may hold capitals, '.' and '_', up to 100 characters.
OVERRIDE_UNIT = NamePattern("parks/{park}/units/{unit}", {"unit": r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"})


def derive_request_id(request_id: str, step: str, *parts: object) -> str:
    """A backend request id fixed by the gateway request id, the step and its parts (attempt, incident, ...)."""
    digest = hashlib.sha256("\x1f".join([request_id, step, *map(str, parts)]).encode()).hexdigest()[:32]
    return f"gw-{step[:40]}-{digest}"


def derive_id(prefix: str, *parts: object) -> str:
    """A short id fixed by its parts (for ids that must survive a retry)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"


def new_id(prefix: str) -> str:
    """A fresh random id."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def stock_name(depot: str, resource_type: str) -> str:
    """ "parks/{park}/depots/{depot}/stocks/{type}" from a depot name and a type."""
    return f"{depot}/stocks/{resource_type}"


def depot_of_stock(stock: str) -> str:
    """The depot name of a stock name."""
    return stock.rsplit("/stocks/", 1)[0]
