"""Fixtures shared by the whole suite: throwaway databases and a throwaway Redis server."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.common.auth import Role, mint_token
from services.common.local import start_private_redis
from services.common.settings import DEVELOPMENT_JWT_SECRET, Settings, load_settings

# Every service (and every launched child) serves its Prometheus endpoint on a free port in tests.
os.environ["METRICS_PORT"] = "0"

# One in-memory exporter for the whole run, installed before any server sets up tracing.
SPAN_EXPORTER = InMemorySpanExporter()
_provider = TracerProvider(resource=Resource.create({"service.name": "tests"}))
_provider.add_span_processor(SimpleSpanProcessor(SPAN_EXPORTER))
trace.set_tracer_provider(_provider)

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Start a private redis-server on a free port for the test session."""
    workdir = Path(tempfile.mkdtemp(prefix="test-redis-"))
    try:
        proc, url = start_private_redis(workdir)
    except (FileNotFoundError, RuntimeError) as exc:
        pytest.fail(str(exc))
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture()
def clean_redis(redis_url: str) -> Iterator[str]:
    """The private Redis, emptied before the test."""
    redis.Redis.from_url(redis_url).flushall()
    yield redis_url


def _create_postgres_database() -> tuple[str, str]:
    """Create a uniquely named database on the local server; return (name, url)."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def _drop_postgres_database(name: str) -> None:
    """Drop a test database, closing what still holds it."""
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test."""
    name, url = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database for one test, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    name, url = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


@pytest.fixture()
def span_exporter() -> Iterator[InMemorySpanExporter]:
    """The in-memory span exporter, emptied before the test."""
    SPAN_EXPORTER.clear()
    yield SPAN_EXPORTER


def token(role: Role | str, *, park_id: str = "", subject: str = "", ttl_s: int = 3600, now: float | None = None, secret: str = DEVELOPMENT_JWT_SECRET) -> str:
    """A signed bearer token for tests."""
    role = Role(role)
    return mint_token(secret, subject=subject or f"{role.value}-{park_id or 'all'}", role=role, park_id=park_id, ttl_s=ttl_s, now=now)


def auth(role: Role | str, *, park_id: str = "", **kwargs: object) -> tuple[tuple[str, str], ...]:
    """Call metadata with a bearer token for the role."""
    return (("authorization", f"Bearer {token(role, park_id=park_id, **kwargs)}"),)  # type: ignore[arg-type]


def service_settings(tmp_path: Path, database_url: str, redis_url: str, **overrides: object) -> Settings:
    """Settings for an in-process service bound to port 0."""
    return load_settings(data_dir=tmp_path, database_url=database_url, redis_url=redis_url, log_format="text", shutdown_grace_s=5.0, **overrides)
