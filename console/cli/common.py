"""What every console command shares: the gateway option, the saved token, one way to call, names as typed, enum choices."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
import typer
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from rich.console import Console

from console.cli import credentials
from services.common.client import bearer
from services.common.names import UNIT

T = TypeVar("T")
Metadata = tuple[tuple[str, str], ...]
DEFAULT_GATEWAY = "127.0.0.1:50050"
GATEWAY_OPTION = typer.Option(DEFAULT_GATEWAY, "--gateway", envvar="EMERGENCY_GATEWAY", help="Gateway address, host:port.")

LEVELS = ("I", "II", "III", "IV")
INCIDENT_KINDS = tuple(v.name.removeprefix("INCIDENT_KIND_") for v in common_pb2.IncidentKind.DESCRIPTOR.values if v.number)

console = Console(soft_wrap=True)  # lines with ids are never wrapped mid-id; tables still fit the terminal


def metadata() -> Metadata:
    """The saved token as call metadata, or a hint to log in."""
    saved = credentials.load()
    if saved is None:
        console.print("[red]no token saved[/red]: run `emergency login` (embedded run) or `emergency token --set <jwt>`")
        raise typer.Exit(2)
    return bearer(saved.token)


def explain(error: grpc.aio.AioRpcError) -> None:
    """Print a failed call's code, message and rich details."""
    console.print(f"[red]{error.code().name}[/red]: {error.details()}", soft_wrap=True)
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            for violation in bad.field_violations:
                console.print(f"  {violation.field}: {violation.description}", soft_wrap=True)
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            extra = ", ".join(f"{k}={v}" for k, v in sorted(info.metadata.items()))
            console.print(f"  reason {info.reason}" + (f" ({extra})" if extra else ""), soft_wrap=True)


def run(gateway: str, work: Callable[[gpb_grpc.CommandCenterServiceStub], Awaitable[T]]) -> T:
    """Open a channel, run the work, and turn a failed call into a readable error and exit code 1."""

    async def main() -> T:
        async with grpc.aio.insecure_channel(gateway) as channel:
            return await work(gpb_grpc.CommandCenterServiceStub(channel))

    try:
        return asyncio.run(main())
    except grpc.aio.AioRpcError as error:
        explain(error)
        raise typer.Exit(1) from error


async def all_pages(method: Callable[..., Awaitable[Any]], request: Any, field: str, auth: Metadata) -> list[Any]:
    """Every item of a paginated list call to the gateway."""
    found: list[Any] = []
    while True:
        page = await method(request, metadata=auth)
        found.extend(getattr(page, field))
        if not page.next_page_token:
            return found
        request.page_token = page.next_page_token


def full_name(text: str, collection: str) -> str:
    """incidents/inc-4f3a for both "inc-4f3a" and "incidents/inc-4f3a"."""
    text = text.strip()
    return text if text.startswith(f"{collection}/") else f"{collection}/{text}"


def unit_name(text: str) -> str:
    """parks/{park}/units/{unit} for "parks/p/units/u" and "p/u"."""
    text = text.strip()
    if text.startswith("parks/"):
        return text
    park, sep, unit = text.partition("/")
    if not sep:
        raise typer.BadParameter(f"{text!r}: name the unit as parks/{{park}}/units/{{unit}} or {{park}}/{{unit}}")
    return UNIT.format(park, unit)


def choice(enum_type: Any, text: str, option: str, *, prefix: str, allowed: Sequence[str]) -> int:
    """The enum value of a name typed with or without its prefix; anything else prints the allowed values and exits 2."""
    name = text.strip().upper().replace("-", "_")
    if name.removeprefix(prefix) in allowed:
        return int(enum_type.Value(prefix + name.removeprefix(prefix)))
    console.print(f"[red]{option}: {text!r} is not allowed[/red]; use one of: {', '.join(allowed)}")
    raise typer.Exit(2)
