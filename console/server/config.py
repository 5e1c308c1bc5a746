"""Console server settings from environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"


class ConsoleSettings(BaseSettings):
    """Where the console listens, which gateway it calls, and what it serves."""

    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", case_sensitive=False)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    gateway: str = Field(default="", description="Gateway address; empty: the suite's configured gateway address")
    static_dir: Path = WEB_DIST
    tile_url: str = Field(default="", description="Optional XYZ tile URL template for a base map, e.g. https://tiles.example/{z}/{x}/{y}.png")
    heartbeat_s: float = Field(default=15.0, gt=0, le=300)
    call_timeout_s: float = Field(default=30.0, gt=0, le=600)


def load_console_settings(**overrides: object) -> ConsoleSettings:
    """Read the console settings, applying explicit overrides (tests)."""
    return ConsoleSettings(**overrides)  # type: ignore[arg-type]
