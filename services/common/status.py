"""Turning ServiceErrors into google.rpc.Status trailers, and reading them back on the client side."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.common.errors import ERROR_DOMAIN, FieldViolation, ServiceError

STATUS_DETAILS_KEY = "grpc-status-details-bin"
MAX_MESSAGE_CHARS = 1000
MAX_DETAIL_CHARS = 300
MAX_VIOLATIONS = 50


def capped(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """Shorten a text that may echo caller input, so an error never outgrows the metadata limit."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def to_status_proto(error: ServiceError) -> status_pb2.Status:
    """Build a google.rpc.Status with ErrorInfo and, for bad input, BadRequest details."""
    details: list[any_pb2.Any] = []
    info = any_pb2.Any()
    metadata = {capped(k, 64): capped(v) for k, v in list(error.metadata.items())[:MAX_VIOLATIONS]}
    if len(error.violations) > MAX_VIOLATIONS:
        metadata["field_violations_total"] = str(len(error.violations))
    info.Pack(error_details_pb2.ErrorInfo(reason=capped(error.reason, 64), domain=ERROR_DOMAIN, metadata=metadata))
    details.append(info)
    if error.violations:
        bad = any_pb2.Any()
        bad.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=capped(v.field), description=capped(v.description))
                    for v in error.violations[:MAX_VIOLATIONS]
                ]
            )
        )
        details.append(bad)
    return status_pb2.Status(code=error.code.value[0], message=capped(error.message, MAX_MESSAGE_CHARS), details=details)


def trailing_metadata_for(error: ServiceError) -> tuple[tuple[str, bytes], ...]:
    """The trailer that carries the rich status."""
    return ((STATUS_DETAILS_KEY, to_status_proto(error).SerializeToString()),)


def error_from_rpc(exc: grpc.aio.AioRpcError | grpc.RpcError) -> ServiceError:
    """Rebuild a ServiceError from a failed call, keeping reason, metadata and field violations."""
    code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
    message = exc.details() if hasattr(exc, "details") else str(exc)
    error = ServiceError(code, code.name, message or "")
    try:
        status = rpc_status.from_call(exc) if hasattr(exc, "trailing_metadata") else None  # type: ignore[arg-type]
    except ValueError:
        status = None  # the trailer disagrees with the call's code: keep the plain code and message
    if status is None:
        return error
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            error.reason = info.reason
            error.metadata = dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            error.violations = [FieldViolation(v.field, v.description) for v in bad.field_violations]
    return error
