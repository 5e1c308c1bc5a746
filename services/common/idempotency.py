"""Request-id idempotency: a retry returns the first answer; the same id with other content is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from services.common.clock import utcnow
from services.common.db import session_scope
from services.common.errors import FieldViolation, ServiceError, invalid_argument

M = TypeVar("M", bound=Message)

MAX_REQUEST_ID_LENGTH = 128


class IdempotencyRecord(SQLModel, table=True):
    """The stored first answer to one mutating request."""

    __tablename__ = "idempotency_records"

    request_id: str = Field(primary_key=True, max_length=MAX_REQUEST_ID_LENGTH)
    method: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    response: bytes = b""
    created_at: datetime = Field(default_factory=utcnow)


def request_fingerprint(method: str, request: Message) -> str:
    """Hash the method and the request's deterministic serialisation."""
    digest = hashlib.sha256(method.encode())
    digest.update(request.SerializeToString(deterministic=True))
    return digest.hexdigest()


def request_id_violations(request_id: str, field: str = "request_id") -> list[FieldViolation]:
    """Check the shape of a request id."""
    if not request_id:
        return [FieldViolation(field, "required: a unique id per mutating request (e.g. a UUID)")]
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        return [FieldViolation(field, f"at most {MAX_REQUEST_ID_LENGTH} characters")]
    return []


REQUEST_ID_REUSED = "REQUEST_ID_REUSED"


def reused_id_error(request_id: str) -> ServiceError:
    """INVALID_ARGUMENT, reason REQUEST_ID_REUSED: the request id was already used with different content."""
    error = invalid_argument(
        [FieldViolation("request_id", f"request id {request_id!r} was already used for a different request")], "request_id reused with different content"
    )
    error.reason = REQUEST_ID_REUSED
    return error


def replay(session: Session, method: str, request_id: str, fingerprint: str) -> bytes | None:
    """Return the stored answer for a retried request, None if new; refuse a reused id."""
    record = session.get(IdempotencyRecord, request_id)
    if record is None:
        return None
    if record.method != method or record.request_hash != fingerprint:
        raise reused_id_error(request_id)
    return record.response


def remember(session: Session, method: str, request_id: str, fingerprint: str, response: Message) -> None:
    """Store the answer in the same transaction as the change it reports."""
    session.add(IdempotencyRecord(request_id=request_id, method=method, request_hash=fingerprint, response=response.SerializeToString(deterministic=True)))


def run_idempotent(engine: Engine, *, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[Session], M]) -> M:
    """Do `work` and store its answer in one transaction, or return the stored answer of an earlier try."""
    fingerprint = request_fingerprint(method, request)
    try:
        with session_scope(engine) as session:
            stored = replay(session, method, request_id, fingerprint)
            if stored is not None:
                return response_type.FromString(stored)
            response = work(session)
            remember(session, method, request_id, fingerprint, response)
            return response
    except (ServiceError, IntegrityError) as exc:
        # A concurrent try with the same id may have won; if so, answer as it did.
        if isinstance(exc, ServiceError) and exc.reason == REQUEST_ID_REUSED:
            raise
        with Session(engine) as session:
            stored = replay(session, method, request_id, fingerprint)
        if stored is not None:
            return response_type.FromString(stored)
        raise
