"""Domain errors that map one-to-one onto canonical gRPC codes with google.rpc details."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import grpc

ERROR_DOMAIN = "emergency.example.org"


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request and why it is bad."""

    field: str
    description: str


@dataclass
class ServiceError(Exception):
    """An error a handler raises on purpose; the interceptor turns it into a rich status."""

    code: grpc.StatusCode
    reason: str
    message: str
    violations: list[FieldViolation] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code.name} {self.reason}: {self.message}"


def invalid_argument(violations: Iterable[FieldViolation], message: str = "") -> ServiceError:
    """Bad input: one field violation per bad field."""
    items = list(violations)
    text = message or "; ".join(f"{v.field}: {v.description}" for v in items) or "invalid request"
    return ServiceError(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", text, items)


def raise_if(violations: Iterable[FieldViolation], message: str = "", *, merge: bool = False) -> None:
    """INVALID_ARGUMENT listing every violation, if there is any; with `merge`, one per field (distinct descriptions joined by '; ')."""
    items = list(violations)
    if merge:
        merged: dict[str, list[str]] = {}
        for v in items:
            descriptions = merged.setdefault(v.field, [])
            if v.description not in descriptions:
                descriptions.append(v.description)
        items = [FieldViolation(name, "; ".join(descriptions)) for name, descriptions in merged.items()]
    if items:
        raise invalid_argument(items, message)


def not_found(what: str, name: str) -> ServiceError:
    """The named resource does not exist (in this namespace)."""
    return ServiceError(grpc.StatusCode.NOT_FOUND, f"{what.upper()}_NOT_FOUND", f"{what} {name!r} not found", metadata={"name": name})


def failed_precondition(reason: str, message: str, metadata: Mapping[str, str] | None = None) -> ServiceError:
    """The system is not in a state where the call makes sense (e.g. an illegal transition)."""
    return ServiceError(grpc.StatusCode.FAILED_PRECONDITION, reason, message, metadata=dict(metadata or {}))


def aborted(reason: str, message: str, metadata: Mapping[str, str] | None = None) -> ServiceError:
    """A concurrency conflict: stale version or contended resource; the caller may re-read and retry."""
    return ServiceError(grpc.StatusCode.ABORTED, reason, message, metadata=dict(metadata or {}))


def already_exists(what: str, name: str) -> ServiceError:
    """A resource with this name exists already."""
    return ServiceError(grpc.StatusCode.ALREADY_EXISTS, f"{what.upper()}_ALREADY_EXISTS", f"{what} {name!r} already exists", metadata={"name": name})


def permission_denied(message: str, metadata: Mapping[str, str] | None = None) -> ServiceError:
    """The caller is known but may not do this."""
    return ServiceError(grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED", message, metadata=dict(metadata or {}))


def unauthenticated(reason: str, message: str) -> ServiceError:
    """No valid credentials."""
    return ServiceError(grpc.StatusCode.UNAUTHENTICATED, reason, message)


def resource_exhausted(reason: str, message: str, metadata: Mapping[str, str] | None = None) -> ServiceError:
    """A size or rate limit was hit; the limit is named in the metadata."""
    return ServiceError(grpc.StatusCode.RESOURCE_EXHAUSTED, reason, message, metadata=dict(metadata or {}))


def unavailable(reason: str, message: str) -> ServiceError:
    """A dependency could not be reached; safe to retry."""
    return ServiceError(grpc.StatusCode.UNAVAILABLE, reason, message)
