"""Process control for the chaos run: the services as child processes, a private persistent Redis, kills and restarts."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from services.common.local import free_port, redis_reachable, wait_serving
from services.launcher import GRPC_SERVICES, SERVICE_MODULES

ROOT = Path(__file__).resolve().parents[2]
# The services of the dispatch path (the alarm intake, an MQTT client of the gateway, is not part of this run).
SERVICES = ("incident", "resources", "casebase", "dispatch", "gateway")
STATEFUL = ("incident", "resources", "casebase", "gateway")
POSTGRES_ADMIN_URL = os.environ.get("CHAOS_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Suite:
    """Every service of the suite as its own process on loopback, with a Redis that keeps its data across kills."""

    folder: Path
    backend: str
    reservation_ttl_s: int = 15
    ports: dict[str, int] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    redis_port: int = 0
    redis_process: subprocess.Popen[bytes] | None = None
    _pg_names: list[str] = field(default_factory=list)

    @property
    def redis_url(self) -> str:
        """The private Redis."""
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def address(self, service: str) -> str:
        """Where a service listens."""
        return f"127.0.0.1:{self.ports[service]}"

    # ---- Redis ----------------------------------------------------------------------------------------------------

    def start_redis(self, wait_s: float = 20.0) -> None:
        """Start (or restart on the same port and files) redis-server with AOF and fsync on every write."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed (Debian: apt-get install redis-server)")
        folder = self.folder / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self.redis_port = self.redis_port or free_port()
        args = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.redis_port),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ]
        log = (self.folder / "logs" / "redis.log").open("ab")
        self.redis_process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait_s
        while not redis_reachable(self.redis_url):
            if time.monotonic() > deadline or self.redis_process.poll() is not None:
                raise RuntimeError(f"redis-server did not start; see {self.folder / 'logs' / 'redis.log'}")
            time.sleep(0.05)

    def kill_redis(self) -> None:
        """SIGKILL Redis."""
        if self.redis_process is not None:
            self.redis_process.kill()
            self.redis_process.wait()

    # ---- databases ------------------------------------------------------------------------------------------------

    def prepare_databases(self) -> None:
        """A database of its own for each stateful service: SQLite files in the folder, or fresh PostgreSQL databases."""
        for service in STATEFUL:
            if self.backend == "sqlite":
                self.database_urls[service] = f"sqlite:///{self.folder / (service + '.db')}"
                continue
            name = f"chaos_{uuid.uuid4().hex[:10]}_{service}"
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self._pg_names.append(name)
            self.database_urls[service] = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)

    def drop_databases(self) -> None:
        """Drop the PostgreSQL databases of the run."""
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            for name in self._pg_names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._pg_names.clear()

    # ---- services -------------------------------------------------------------------------------------------------

    def environment(self, service: str) -> dict[str, str]:
        """The environment of one service process."""
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "DATA_DIR": str(self.folder),
            "REDIS_URL": self.redis_url,
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
            "OTEL_TRACES_EXPORTER": "none",
            "OTEL_METRICS_EXPORTER": "none",
            "METRICS_PORT": "0",
            "SHUTDOWN_GRACE_S": "2",
            "GATEWAY_RATE_LIMIT_PER_S": "0",
            "GATEWAY_RESERVATION_TTL_S": str(self.reservation_ttl_s),
            **{f"{name.upper()}_PORT": str(port) for name, port in self.ports.items()},
        }
        env.pop("DATABASE_URL", None)
        if service in self.database_urls:
            env["DATABASE_URL"] = self.database_urls[service]
        return env

    def start(self, service: str) -> None:
        """Start one service process (again), appending to its log."""
        log = (self.folder / "logs" / f"{service}.log").open("ab")
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", SERVICE_MODULES[service]],
            cwd=ROOT,
            env=self.environment(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, service: str) -> None:
        """SIGKILL one service, as a crash would."""
        process = self.processes[service]
        if process.poll() is None:
            process.kill()
        process.wait()

    async def serving(self, service: str, timeout_s: float = 90.0) -> bool:
        """Wait until a service reports SERVING."""
        return await wait_serving(self.address(service), GRPC_SERVICES[service], timeout_s)

    async def start_all(self, timeout_s: float = 120.0) -> None:
        """Redis, databases, then every service; wait until all serve."""
        (self.folder / "logs").mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in SERVICES}
        self.start_redis()
        self.prepare_databases()
        for service in SERVICES:
            self.start(service)
        healthy = await asyncio.gather(*(self.serving(s, timeout_s) for s in SERVICES))
        if not all(healthy):
            late = [s for s, ok in zip(SERVICES, healthy, strict=True) if not ok]
            raise RuntimeError(f"{', '.join(late)} did not become healthy; see {self.folder / 'logs'}")

    def stop_all(self) -> None:
        """SIGTERM every service (kill stragglers), stop Redis, drop PostgreSQL databases."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.redis_process is not None and self.redis_process.poll() is None:
            self.redis_process.terminate()
            self.redis_process.wait(timeout=10)
        if self._pg_names:
            self.drop_databases()
