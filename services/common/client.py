"""Client channels that forward the caller's deadline and principal and retry only what is safe."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors

from services.common.auth import current_principal
from services.common.deadline import outgoing_timeout
from services.common.metrics import service_metrics
from services.common.targets import grpc_target

# Every method of these services is safe to retry on UNAVAILABLE: reads have no effect, and every
# mutating call carries a request_id, so a retry after a lost answer returns the first answer.
IDEMPOTENT_SERVICES = (
    "emergency.incident.v1.IncidentService",
    "emergency.resources.v1.ResourceService",
    "emergency.casebase.v1.CaseBaseService",
    "emergency.dispatch.v1.DispatchService",
    "emergency.gateway.v1.CommandCenterService",
)

# Client interceptors see every method's messages; their classes are generic only in the stubs.
if TYPE_CHECKING:
    UnaryUnaryClientInterceptor = grpc.aio.UnaryUnaryClientInterceptor[Any, Any]
    UnaryStreamClientInterceptor = grpc.aio.UnaryStreamClientInterceptor[Any, Any]
else:
    UnaryUnaryClientInterceptor = grpc.aio.UnaryUnaryClientInterceptor
    UnaryStreamClientInterceptor = grpc.aio.UnaryStreamClientInterceptor


def retry_service_config(services: Sequence[str] = IDEMPOTENT_SERVICES, *, round_robin: bool = False) -> str:
    """gRPC service config with a bounded retry on UNAVAILABLE for the given services, optionally balancing round-robin."""
    balancing: dict[str, Any] = {"loadBalancingConfig": [{"round_robin": {}}]} if round_robin else {}
    return json.dumps(
        {
            **balancing,
            "methodConfig": [
                {
                    "name": [{"service": name} for name in services],
                    "retryPolicy": {
                        "maxAttempts": 4,
                        "initialBackoff": "0.1s",
                        "maxBackoff": "1s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                }
            ],
        }
    )


def _details_with(details: grpc.aio.ClientCallDetails, cap_s: float) -> grpc.aio.ClientCallDetails:
    """Copy call details, setting the forwarded timeout and the caller's bearer token."""
    metadata = list(details.metadata or [])
    token = current_principal().token
    if token and not any(k.lower() == "authorization" for k, _ in metadata):
        metadata.append(("authorization", f"Bearer {token}"))
    return grpc.aio.ClientCallDetails(
        method=details.method,
        timeout=outgoing_timeout(details.timeout, cap_s),
        metadata=grpc.aio.Metadata(*metadata),
        credentials=details.credentials,
        wait_for_ready=details.wait_for_ready,
    )


class _ForwardUnaryUnary(UnaryUnaryClientInterceptor):
    """Forwards deadline and principal on unary calls."""

    def __init__(self, cap_s: float) -> None:
        self._cap_s = cap_s

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        """Call on with the adjusted details."""
        return await continuation(_details_with(client_call_details, self._cap_s), request)


class _ForwardUnaryStream(UnaryStreamClientInterceptor):
    """Forwards principal (and a deadline only if the caller has one) on server-streaming calls."""

    def __init__(self, cap_s: float) -> None:
        self._cap_s = cap_s

    async def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        """Call on with the adjusted details; streams may be long, so the cap is not applied."""
        details = _details_with(client_call_details, 10**9)
        return await continuation(details, request)


class _MeasureUnaryUnary(UnaryUnaryClientInterceptor):
    """Records each unary call's duration and status code in the calling service's rpc.client.call.duration."""

    def __init__(self, service: str) -> None:
        self._metrics = service_metrics(service)

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        """Call on, wait for the outcome, record it, and hand back the call."""
        started = time.perf_counter()
        method = client_call_details.method
        method = method.decode() if isinstance(method, bytes) else str(method)
        code = grpc.StatusCode.UNKNOWN
        try:
            call = await continuation(client_call_details, request)
            with contextlib.suppress(grpc.aio.AioRpcError):
                await call  # the caller sees the error when it awaits the call itself
            code = await call.code()
            return call
        except grpc.aio.AioRpcError as error:
            code = error.code()
            raise
        finally:
            self._metrics.record_call(self._metrics.client_duration, method, code, time.perf_counter() - started)


def open_channel(address: str, *, default_timeout_s: float = 10.0, token: str = "", service: str = "") -> grpc.aio.Channel:
    """An insecure channel to an in-cluster service with tracing, deadline forwarding, safe retries and round-robin over several servers; `service` names the caller for client metrics."""
    target = grpc_target(address)
    measure: list[Any] = [_MeasureUnaryUnary(service)] if service else []
    interceptors: list[Any] = [*measure, *aio_client_interceptors(), _ForwardUnaryUnary(default_timeout_s), _ForwardUnaryStream(default_timeout_s)]
    options = [
        ("grpc.enable_retries", 1),
        ("grpc.service_config", retry_service_config(round_robin=target.balanced)),
        ("grpc.max_receive_message_length", 64 * 1024 * 1024),
        ("grpc.max_send_message_length", 64 * 1024 * 1024),
        ("grpc.max_metadata_size", 256 * 1024),
    ]
    return grpc.aio.insecure_channel(target.uri, options=options, interceptors=interceptors)


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying a bearer token."""
    return (("authorization", f"Bearer {token}"),)
