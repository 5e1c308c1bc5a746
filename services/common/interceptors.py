"""Server interceptor: principal and deadline binding, rich error mapping, and request logging."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc

from services.common.auth import ANONYMOUS, TokenVerifier, reset_current_principal, set_current_principal
from services.common.deadline import reset_deadline, set_deadline_from_remaining
from services.common.errors import ServiceError
from services.common.requestcheck import DEFAULT_MAX_REQUEST_BYTES, check_request, tolerant_deserializer
from services.common.status import MAX_MESSAGE_CHARS, capped, trailing_metadata_for

log = logging.getLogger("emergency.rpc")

UNAUTHENTICATED_OK = ("/grpc.health.v1.Health/", "/grpc.reflection.")

# A handler's call context: the handlers read nothing from it that depends on their message types.
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"

# The interceptors wrap every method of every service, so requests and responses are any message.
# The handler and interceptor classes are generic only in the stubs.
if TYPE_CHECKING:
    Handler = grpc.RpcMethodHandler[Any, Any]
    ServerInterceptor = grpc.aio.ServerInterceptor[Any, Any]
else:
    ServerInterceptor = grpc.aio.ServerInterceptor


class StreamCloser(ServerInterceptor):
    """Outermost: drives each server-streaming handler with context.write and closes it in the call's own task.

    gRPC leaves the response generator of a call whose client went away to the garbage collector, which closes it
    in another task; every context variable token the inner layers (tracing, principal, deadline) reset then
    belongs to a different Context and fails. Closing it here keeps the reset in the Context that set it.
    """

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler]], handler_call_details: grpc.HandlerCallDetails
    ) -> Handler:
        """Wrap unary-stream handlers; pass the others on."""
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_stream is None:
            return handler
        inner: Callable[..., Any] = handler.unary_stream

        async def behaviour(request: Any, context: Context) -> None:
            stream = inner(request, context)
            if not hasattr(stream, "__aiter__"):  # a handler that writes for itself
                await stream
                return
            try:
                async for item in stream:
                    await context.write(item)
            finally:
                await stream.aclose()

        return grpc.unary_stream_rpc_method_handler(
            behaviour, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
        )


class ServiceInterceptor(ServerInterceptor):
    """Wraps every handler so no exception escapes as UNKNOWN and every call is logged with its trace id."""

    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        on_call: Callable[[str, grpc.StatusCode, float], None] | None = None,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        bulk_limits: dict[str, int] | None = None,
    ) -> None:
        self._verifier = verifier
        self._on_call = on_call
        self._max_request_bytes = max_request_bytes
        self._bulk_limits = dict(bulk_limits or {})

    def _limit_for(self, method: str) -> int:
        """The largest request this method accepts: its bulk limit by full name or by service ('/pkg.Service/*'), else the default."""
        service = method.rsplit("/", 1)[0] + "/*"
        return self._bulk_limits.get(method, self._bulk_limits.get(service, self._max_request_bytes))

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler]], handler_call_details: grpc.HandlerCallDetails
    ) -> Handler:
        """Return a handler that binds the call's context around the real one."""
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(UNAUTHENTICATED_OK):
            return handler
        metadata = tuple(handler_call_details.invocation_metadata or ())
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, metadata, handler.unary_unary),
                request_deserializer=tolerant_deserializer(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, metadata, handler.unary_stream),
                request_deserializer=tolerant_deserializer(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        return handler

    @contextlib.asynccontextmanager
    async def _call_scope(self, method: str, metadata: tuple[Any, ...], context: Context) -> AsyncIterator[None]:
        """Bind principal and deadline around one call, turn errors into rich statuses, and log the outcome."""
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        principal_token, deadline_token = self._enter(context)
        try:
            self._authenticate(metadata)
            yield
        except ServiceError as error:
            code = error.code
            await self._abort(context, error)
        except asyncio.CancelledError:
            code = _cut_off_code(context)
            raise
        except Exception as exc:
            aborted_code = _code_of(exc, context)
            code = aborted_code or grpc.StatusCode.INTERNAL
            if aborted_code is None:
                log.exception("unhandled error in %s", method)
                await self._abort(context, ServiceError(grpc.StatusCode.INTERNAL, "INTERNAL_ERROR", "internal error; see the service log"))
            raise
        else:
            if code is grpc.StatusCode.OK and _past_deadline(context):
                code = grpc.StatusCode.DEADLINE_EXCEEDED
        finally:
            _log_call(method, code, started)
            if self._on_call is not None:
                self._on_call(method, code, time.perf_counter() - started)
            # A stream whose client went away may be closed by the garbage collector in another Context (the layer
            # above abandons it); its tokens cannot be reset there, and nothing is left to restore.
            with contextlib.suppress(ValueError):
                reset_deadline(deadline_token)
                reset_current_principal(principal_token)

    def _wrap_unary(self, method: str, metadata: tuple[Any, ...], inner: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a unary-unary behaviour."""

        async def behaviour(request: Any, context: Context) -> Any:
            async with self._call_scope(method, metadata, context):
                check_request(request, self._limit_for(method))
                return await inner(request, context)

        return behaviour

    def _wrap_stream(self, method: str, metadata: tuple[Any, ...], inner: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a unary-stream behaviour."""

        async def behaviour(request: Any, context: Context) -> AsyncIterator[Any]:
            async with self._call_scope(method, metadata, context):
                check_request(request, self._limit_for(method))
                async for item in inner(request, context):
                    yield item

        return behaviour

    def _enter(self, context: Context) -> tuple[Any, Any]:
        """Bind an anonymous principal and the call's deadline."""
        return set_current_principal(ANONYMOUS), set_deadline_from_remaining(context.time_remaining())

    def _authenticate(self, metadata: tuple[Any, ...]) -> None:
        """Verify the bearer token, if any, and bind its principal."""
        set_current_principal(self._verifier.principal_from_metadata(metadata))

    @staticmethod
    async def _abort(context: Context, error: ServiceError) -> None:
        """End the call with the error's code, message and rich details."""
        await context.abort(error.code, capped(error.message, MAX_MESSAGE_CHARS), trailing_metadata=trailing_metadata_for(error))


def _code_of(exc: BaseException, context: Context) -> grpc.StatusCode | None:
    """The code of an abort already under way (context.abort raises), or None for a real failure."""
    if isinstance(exc, grpc.aio.AbortError) or type(exc).__name__ == "AbortError":
        code = context.code()
        return code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.UNKNOWN
    return None


# A client gives up at its own deadline, a moment before the server's copy of it (which starts when the
# call arrives) runs out; a cancel that close to the deadline is the deadline.
DEADLINE_SLACK_S = 0.25


def _past_deadline(context: Context, slack_s: float = 0.0) -> bool:
    """True when the client's deadline has passed, so the caller saw DEADLINE_EXCEEDED whatever the handler returned."""
    remaining = context.time_remaining()
    return remaining is not None and remaining <= slack_s


def _cut_off_code(context: Context) -> grpc.StatusCode:
    """What a cancelled handler's caller really saw: its deadline passed, or it cancelled the call."""
    return grpc.StatusCode.DEADLINE_EXCEEDED if _past_deadline(context, DEADLINE_SLACK_S) else grpc.StatusCode.CANCELLED


def _log_call(method: str, code: grpc.StatusCode, started: float) -> None:
    """One log line per call."""
    log.info("rpc", extra={"rpc_method": method, "rpc_code": code.name, "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
