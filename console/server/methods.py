"""The gateway's unary methods, found from its service descriptor, and a generic JSON caller for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from emergency.gateway.v1 import gateway_service_pb2
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

REQUEST_ID = "request_id"
SERVICE = gateway_service_pb2.DESCRIPTOR.services_by_name["CommandCenterService"]


@dataclass(frozen=True)
class UnaryMethod:
    """One unary method: its path on the wire and its message classes."""

    name: str
    path: str
    request_type: type[Message]
    response_type: type[Message]

    @property
    def request_fields(self) -> list[str]:
        """The request's field names in proto3 JSON (lowerCamelCase), so a client can tell which options a method takes."""
        return [field.json_name for field in self.request_type.DESCRIPTOR.fields]

    @property
    def takes_request_id(self) -> bool:
        """True when the request has a request_id field (a mutating call)."""
        return REQUEST_ID in self.request_type.DESCRIPTOR.fields_by_name


def _unary(method: MethodDescriptor) -> UnaryMethod:
    """The method's wire path and classes."""
    return UnaryMethod(
        name=method.name,
        path=f"/{SERVICE.full_name}/{method.name}",
        request_type=message_factory.GetMessageClass(method.input_type),
        response_type=message_factory.GetMessageClass(method.output_type),
    )


def unary_methods() -> dict[str, UnaryMethod]:
    """Every unary method of the gateway service, by name; streaming methods are left out."""
    return {m.name: _unary(m) for m in SERVICE.methods if not m.client_streaming and not m.server_streaming}


def request_from_json(method: UnaryMethod, body: Mapping[str, Any], idempotency_key: str) -> Message:
    """Parse proto3 JSON into the request; the Idempotency-Key header fills request_id (a different one in the body is refused)."""
    request = json_format.ParseDict(dict(body), method.request_type())
    if idempotency_key and method.takes_request_id:
        current = getattr(request, REQUEST_ID)
        if current and current != idempotency_key:
            raise json_format.ParseError(f"request_id {current!r} differs from the Idempotency-Key header {idempotency_key!r}")
        setattr(request, REQUEST_ID, idempotency_key)
    return request


def response_to_json(response: Message) -> dict[str, Any]:
    """Proto3 JSON of a response (camelCase names, enums by name, defaults left out)."""
    return json_format.MessageToDict(response)


async def call(channel: grpc.aio.Channel, method: UnaryMethod, request: Message, metadata: tuple[tuple[str, str], ...], timeout_s: float) -> Message:
    """Call one unary method on the gateway."""
    stub = channel.unary_unary(method.path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=method.response_type.FromString)
    response: Message = await stub(request, metadata=metadata, timeout=timeout_s)
    return response
