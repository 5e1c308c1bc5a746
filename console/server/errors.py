"""gRPC status to HTTP: the canonical code mapping and the google.rpc.Status details as JSON."""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2  # noqa: F401  (registers ErrorInfo, BadRequest, ... for Any decoding)
from grpc_status import rpc_status

# google.api HTTP mapping of canonical codes (google/rpc/code.proto).
HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}


def error_body(http_code: int, status: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON error body, shaped like Google's JSON errors."""
    return {"error": {"code": http_code, "status": status, "message": message, "details": details or []}}


def from_rpc_error(error: grpc.aio.AioRpcError) -> tuple[int, dict[str, Any]]:
    """HTTP code and body for a failed gateway call, with every detail the status carried."""
    code = error.code()
    details: list[dict[str, Any]] = []
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is not None:
        details = [json_format.MessageToDict(detail) for detail in status.details]
    http_code = HTTP_STATUS.get(code, 500)
    return http_code, error_body(http_code, code.name, error.details() or "", details)


def bad_request(message: str, field: str = "") -> tuple[int, dict[str, Any]]:
    """A 400 for a body that is not the method's proto3 JSON."""
    violation = {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": field or "body", "description": message}]}
    return 400, error_body(400, "INVALID_ARGUMENT", message, [violation])
