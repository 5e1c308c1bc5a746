"""What the planner, the commit saga and the drill runner are built on: the backends, the gateway database and settings, the commit hook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from gateway.backends import Backends
from gateway.config import GatewayConfig


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """The backends, the gateway's own database and settings, and the hook run after each commit (it wakes the relay and the read model)."""

    backends: Backends
    engine: Engine
    config: GatewayConfig
    on_commit: Callable[[], None] = lambda: None
