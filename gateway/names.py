"""Resource names the gateway owns or parses, and deterministic request ids for backend calls."""

from __future__ import annotations

import hashlib
import re
import uuid

from services.common.errors import FieldViolation, invalid_argument

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")
EVENT_STREAM = "emergency.gateway.events"


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


def parse(name: str, collection: str, field: str) -> str:
    """The id in "{collection}/{id}", or INVALID_ARGUMENT naming the field."""
    prefix, _, ident = name.partition("/")
    if prefix != collection or not ID_PATTERN.match(ident):
        raise invalid_argument([FieldViolation(field, f"must be {collection}/{{{collection[:-1]}}}")])
    return ident


def incident_id(name: str) -> str:
    """The id of "incidents/{incident}"."""
    return name.partition("/")[2]


def park_of(resource: str) -> str:
    """The park id of a "parks/{park}/..." name, or empty."""
    parts = resource.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "parks" else ""


def stock_name(depot: str, resource_type: str) -> str:
    """ "parks/{park}/depots/{depot}/stocks/{type}" from a depot name and a type."""
    return f"{depot}/stocks/{resource_type}"


def depot_of_stock(stock: str) -> str:
    """The depot name of a stock name."""
    return stock.rsplit("/stocks/", 1)[0]


def stock_type(stock: str) -> str:
    """The resource type of a stock name."""
    return stock.rsplit("/stocks/", 1)[-1]
