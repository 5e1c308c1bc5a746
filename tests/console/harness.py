"""The console server on a free port in the test's event loop, over a running gateway."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from console.server.app import create_app
from console.server.config import load_console_settings
from services.common.local import free_port
from services.common.settings import load_settings


@dataclass
class ConsoleServer:
    """A uvicorn server running the console app; restartable on the same port."""

    gateway: str
    port: int = field(default_factory=free_port)
    environment: str = "embedded"
    heartbeat_s: float = 15.0
    static_dir: Path | None = None
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start serving and wait until it listens."""
        overrides: dict[str, object] = {"gateway": self.gateway, "port": self.port, "heartbeat_s": self.heartbeat_s}
        if self.static_dir is not None:
            overrides["static_dir"] = self.static_dir
        suite = (
            load_settings(environment=self.environment, jwt_secret="a-production-secret-of-at-least-32-bytes!!")
            if self.environment != "embedded"
            else load_settings()
        )
        app = create_app(load_console_settings(**overrides), suite)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """Stop serving, closing open event streams."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._server = None
        self._task = None
