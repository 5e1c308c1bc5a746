"""Call metadata and rich-error readers for the dispatch service tests."""

from __future__ import annotations

from typing import Any

import grpc
from grpc_status import rpc_status

from services.common.auth import Role
from tests.conftest import auth

OPERATOR = auth(Role.OPERATOR, subject="operator-dispatch")
VIEWER = auth(Role.VIEWER, subject="viewer-dispatch")


def _details(error: grpc.aio.AioRpcError) -> list[Any]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "no google.rpc.Status in the trailers"
    return list(status.details)
