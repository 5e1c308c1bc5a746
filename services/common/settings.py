"""Process settings from environment variables, with defaults that run the embedded stack."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from services.common.targets import grpc_target

DEVELOPMENT_JWT_SECRET = "development-only-secret-do-not-use-in-production"

SERVICE_NAMES = ("gateway", "incident", "resources", "casebase", "dispatch")
# Default Prometheus endpoint ports (METRICS_PORT overrides); a service added later takes the next free one.
DEFAULT_METRICS_PORTS = {"gateway": 9460, "incident": 9461, "resources": 9462, "casebase": 9463, "dispatch": 9464, "alarms": 9465, "console": 9466}


class Settings(BaseSettings):
    """Every setting a service process reads; unknown variables are ignored, bad values stop start-up."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    environment: Literal["embedded", "production"] = "embedded"
    host: str = "127.0.0.1"
    data_dir: Path = Path("data")
    database_url: str = Field(default="", description="Empty: a SQLite file per service under data_dir")
    redis_url: str = "redis://127.0.0.1:6379/0"

    gateway_port: int = Field(default=50050, ge=0, le=65535)
    incident_port: int = Field(default=50051, ge=0, le=65535)
    resources_port: int = Field(default=50052, ge=0, le=65535)
    casebase_port: int = Field(default=50053, ge=0, le=65535)
    dispatch_port: int = Field(default=50054, ge=0, le=65535)
    alarms_port: int = Field(default=50055, ge=0, le=65535)
    metrics_port: int | None = Field(default=None, ge=0, le=65535, description="Prometheus endpoint; unset: the service's default")

    incident_addr: str = ""
    resources_addr: str = ""
    casebase_addr: str = ""
    dispatch_addr: str = ""
    alarms_addr: str = ""

    shutdown_grace_s: float = Field(default=10.0, gt=0, le=300)
    default_call_timeout_s: float = Field(default=10.0, gt=0, le=600)
    max_concurrent_rpcs: int = Field(default=500, gt=0)

    max_request_bytes: int = Field(default=4 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024, description="Largest request of an ordinary method")
    max_bulk_request_bytes: int = Field(default=32 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024, description="Largest dispatch or import request")
    outbox_stuck_after_s: float = Field(default=60.0, gt=0, description="Outbox health turns NOT_SERVING when the oldest unsent event is older")
    outbox_check_interval_s: float = Field(default=5.0, gt=0, le=300)

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    jwt_previous_secrets: list[SecretStr] = Field(default_factory=list)
    jwt_issuer: str = "emergency-command"
    token_ttl_s: int = Field(default=12 * 3600, gt=0)
    token_max_lifetime_s: int = Field(default=24 * 3600, gt=0, description="Tokens living longer (exp - iat) are refused")

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        """Accept only SQLite and PostgreSQL URLs."""
        if not value:
            return value
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {exc}") from exc
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        """Accept only redis:// and rediss:// URLs."""
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("incident_addr", "resources_addr", "casebase_addr", "dispatch_addr")
    @classmethod
    def _check_addr(cls, value: str) -> str:
        """Accept host:port, a comma-separated list of IP:PORT, or a resolver target such as dns:///name:port."""
        if value:
            grpc_target(value)
        return value

    @model_validator(mode="after")
    def _refuse_development_secret(self) -> Settings:
        """Outside the embedded run, the development signing secret is refused."""
        if self.environment != "embedded" and self.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set to a real secret when ENVIRONMENT is not 'embedded'")
        if len(self.jwt_secret.get_secret_value().encode()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 bytes (HS256 keys of 256 bits, RFC 7518 section 3.2)")
        return self

    def port_for(self, service: str) -> int:
        """The listening port configured for a service."""
        return int(getattr(self, f"{service}_port"))

    def metrics_port_for(self, service: str) -> int:
        """The Prometheus endpoint's port: METRICS_PORT if set, else the service's default."""
        return self.metrics_port if self.metrics_port is not None else DEFAULT_METRICS_PORTS.get(service, 0)

    def address_of(self, service: str) -> str:
        """Where to reach a service: its *_ADDR, else host and its port."""
        explicit = str(getattr(self, f"{service}_addr", "") or "")
        return explicit or f"{self.host}:{self.port_for(service)}"

    def database_url_for(self, service: str) -> str:
        """The database of a service: DATABASE_URL if set, else a SQLite file of its own."""
        return self.database_url or f"sqlite:///{self.data_dir / (service + '.db')}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, applying explicit overrides (used by tests and the launcher)."""
    return Settings(**overrides)  # type: ignore[arg-type]
