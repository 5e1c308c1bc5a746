"""Run the console server: python -m console.server (CONSOLE_PORT, default 8080)."""

from __future__ import annotations

import uvicorn

from console.server.app import create_app
from console.server.config import load_console_settings


def main() -> None:
    """Serve until SIGINT or SIGTERM; open event streams get a short grace to close."""
    settings = load_console_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
