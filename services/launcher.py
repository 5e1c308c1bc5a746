"""One-command embedded run: Redis, every built service as a child process, health-gated start, demo data, clean Ctrl-C."""

# ruff: noqa: E402
from __future__ import annotations

import signal

# Stop requests (SIGINT, SIGTERM). Run as a program, the handlers go in before the slower imports below, so Ctrl-C
# at any moment of start-up is a request to stop, never a KeyboardInterrupt traceback.
STOP_SIGNALS: list[int] = []
if __name__ == "__main__":
    for _signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_signal, lambda signum, _frame: STOP_SIGNALS.append(signum))

import asyncio
import contextlib
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from services.common.local import mqtt_reachable, redis_reachable, start_private_mosquitto, start_private_redis, wait_serving
from services.common.settings import DEFAULT_METRICS_PORTS, Settings, load_settings

T = TypeVar("T")
console = Console()
app = typer.Typer(add_completion=False, help="Run the whole suite on its embedded defaults.")

SERVICE_MODULES = {
    "incident": "services.incident.server",
    "resources": "services.resources.server",
    "casebase": "services.casebase.server",
    "dispatch": "services.dispatch.server",
    "gateway": "gateway.server",
    "alarms": "services.alarms.server",
}
GRPC_SERVICES = {
    "incident": "emergency.incident.v1.IncidentService",
    "resources": "emergency.resources.v1.ResourceService",
    "casebase": "emergency.casebase.v1.CaseBaseService",
    "dispatch": "emergency.dispatch.v1.DispatchService",
    "gateway": "emergency.gateway.v1.CommandCenterService",
    "alarms": "emergency.alarms.v1.AlarmService",
}
START_ORDER = ("incident", "resources", "casebase", "dispatch", "gateway", "alarms")


REPLICA_PORT_STEP = 100  # replica k of a service listens (and serves metrics) k * 100 above the first one


@dataclass
class Child:
    """A running service process (one replica of a service)."""

    name: str
    process: subprocess.Popen[bytes]
    address: str
    service: str = ""

    def __post_init__(self) -> None:
        self.service = self.service or self.name


@dataclass(frozen=True)
class Replica:
    """One process of a service in the layout: its name, listening port and metrics port."""

    service: str
    index: int
    count: int
    port: int
    metrics_port: int

    @property
    def name(self) -> str:
        """The service's name, numbered when it runs as several replicas."""
        return self.service if self.count == 1 else f"{self.service}-{self.index + 1}"


def replicas_of(service: str, count: int, settings: Settings) -> list[Replica]:
    """The processes of one service: the first on its configured ports, the others REPLICA_PORT_STEP apart."""
    port, metrics = settings.port_for(service), 0 if settings.metrics_port == 0 else DEFAULT_METRICS_PORTS[service]
    return [Replica(service, k, count, port + k * REPLICA_PORT_STEP if port else 0, metrics + k * REPLICA_PORT_STEP if metrics else 0) for k in range(count)]


def addresses_of(replicas: list[Replica], settings: Settings) -> str:
    """How callers reach a service: its address, or a round-robin list of its replicas' IP:PORT."""
    if len(replicas) == 1:
        return settings.address_of(replicas[0].service)
    return ",".join(f"{settings.host}:{r.port}" for r in replicas)


def is_built(service: str) -> bool:
    """A service is built when its server module exists."""
    return importlib.util.find_spec(SERVICE_MODULES[service]) is not None


def ensure_redis(data_dir: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """REDIS_URL if set and reachable, else the local default, else a private redis-server under the data folder."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        if redis_reachable(configured):
            return configured, None
        console.print(f"[red]REDIS_URL={configured} does not answer.[/red] Start it, or unset REDIS_URL to use a local one.")
        raise typer.Exit(2)
    default = "redis://127.0.0.1:6379/0"
    if redis_reachable(default):
        return default, None
    try:
        proc, url = start_private_redis(data_dir / "redis")
    except FileNotFoundError:
        console.print("[red]No Redis found.[/red] Install one (Debian: apt-get install redis-server) or set REDIS_URL=redis://host:port/0.")
        raise typer.Exit(2) from None
    except RuntimeError:
        console.print("[red]redis-server did not start.[/red]")
        raise typer.Exit(2) from None
    console.print(f"started redis-server at {url} (data in {data_dir / 'redis'})")
    return url, proc


def ensure_mqtt(data_dir: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """MQTT_URL if set and answering, else the local default, else a private loopback mosquitto under the data folder."""
    from services.alarms.config import DEFAULT_MQTT_URL, load_alarm_config

    configured = os.environ.get("MQTT_URL")
    host, port, _, _ = load_alarm_config(mqtt_url=configured or DEFAULT_MQTT_URL).broker()
    if mqtt_reachable(host, port):
        return configured or DEFAULT_MQTT_URL, None
    if configured:
        console.print(f"[red]MQTT_URL={configured} does not answer.[/red] Start the broker, or unset MQTT_URL to use a local one.")
        raise typer.Exit(2)
    try:
        proc, url = start_private_mosquitto(data_dir / "mosquitto")
    except (FileNotFoundError, RuntimeError) as exc:
        console.print(f"[red]No MQTT broker: {exc}[/red] Install mosquitto or set MQTT_URL=mqtt://host:port.")
        raise typer.Exit(2) from None
    console.print(f"started mosquitto at {url} (data in {data_dir / 'mosquitto'})")
    return url, proc


def start_child(name: str, settings: Settings, env: dict[str, str], log_dir: Path, replica: Replica | None = None) -> Child:
    """Start one service process (or one replica of it, on the replica's ports) with its output in a log file."""
    address = settings.address_of(name)
    if replica is not None and replica.count > 1:
        env = {**env, f"{name.upper()}_PORT": str(replica.port), "METRICS_PORT": str(replica.metrics_port)}
        if name == "gateway":
            env["GATEWAY_REPLICA"] = replica.name
        address = f"{settings.host}:{replica.port}"
    label = replica.name if replica is not None else name
    log_file = (log_dir / f"{label}.log").open("ab")
    # A session of its own: Ctrl-C in the terminal reaches only the launcher, which stops the children in order.
    process = subprocess.Popen([sys.executable, "-m", SERVICE_MODULES[name]], env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    return Child(label, process, address, name)


def stop_children(children: list[Child], grace_s: float) -> None:
    """SIGTERM every child, wait for them to finish their calls, then kill stragglers."""
    for child in reversed(children):
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s + 5
    for child in children:
        remaining = max(deadline - time.monotonic(), 0.1)
        try:
            child.process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def child_environment(settings: Settings, redis_url: str, service: str) -> dict[str, str]:
    """The environment of one child: the launcher's, with Redis, data folder and a database of its own."""
    env = dict(os.environ)
    env["REDIS_URL"] = redis_url
    env["DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["DATABASE_URL"] = database_url_for_service(settings.database_url, service)
    if settings.metrics_port:  # one port cannot serve every child: each takes its default (0 still means free ports)
        env.pop("METRICS_PORT", None)
    return env


def database_url_for_service(base_url: str, service: str) -> str:
    """One database per service: DATABASE_URL's database name suffixed with the service name."""
    if base_url.startswith("sqlite"):
        url = make_url(base_url)
        path = Path(url.database or "suite.db")
        suffix = path.suffix or ".db"
        return url.set(database=str(path.with_name(path.stem + "_" + service + suffix))).render_as_string(hide_password=False)
    base, _, name = base_url.rpartition("/")
    return f"{base}/{name or 'emergency'}_{service}"


def ensure_postgres_databases(base_url: str, services: list[str]) -> None:
    """Create each service's PostgreSQL database if it does not exist."""
    import psycopg

    admin = base_url.replace("postgresql+psycopg://", "postgresql://").rpartition("/")[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        for service in services:
            name = database_url_for_service(base_url, service).rpartition("/")[2]
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')


async def seed_demo_data(settings: Settings) -> str:
    """Load the demo data set through the services' own APIs, if the seeder is built."""
    if not is_built("resources"):
        return "demo data: not seeded (the resources service is not built)"
    from services.resources.seed import seed_demo

    return str(await seed_demo(settings))


@app.command()
def run(
    data_dir: Path = typer.Option(Path("data"), envvar="DATA_DIR", help="Folder for SQLite files, logs and a private Redis."),
    startup_timeout_s: float = typer.Option(60.0, help="How long to wait for every service to report SERVING."),
    seed: bool = typer.Option(True, help="Load the Jiangyin demo data set after start-up."),
    once: bool = typer.Option(False, help="Start, report, then stop at once (for checks)."),
    gateway_replicas: int = typer.Option(1, min=1, max=9, envvar="GATEWAY_REPLICAS", help="Gateway processes (more than one needs PostgreSQL)."),
    dispatch_replicas: int = typer.Option(1, min=1, max=9, envvar="DISPATCH_REPLICAS", help="Dispatch processes, reached round-robin."),
) -> None:
    """Start Redis (if needed) and every built service, wait for health, seed demo data, run until Ctrl-C."""
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda signum, _frame: STOP_SIGNALS.append(signum))

    def stop_requested() -> bool:
        return bool(STOP_SIGNALS)

    os.environ.setdefault("DATA_DIR", str(data_dir))
    settings = load_settings(data_dir=data_dir)
    if gateway_replicas > 1 and not settings.database_url.startswith("postgresql"):
        console.print("[red]Gateway replicas share one database:[/red] set DATABASE_URL=postgresql+psycopg://USER@HOST:PORT/NAME (or use make run-replicas).")
        raise typer.Exit(2)
    layout = {"gateway": gateway_replicas, "dispatch": dispatch_replicas}
    data_dir.mkdir(parents=True, exist_ok=True)
    log_dir = data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    redis_url, redis_proc = ensure_redis(data_dir)
    built = [s for s in START_ORDER if is_built(s)]
    mqtt_proc = None
    if "alarms" in built:
        os.environ["MQTT_URL"], mqtt_proc = ensure_mqtt(data_dir)
    missing = [s for s in START_ORDER if s not in built]
    if settings.database_url.startswith("postgresql"):
        ensure_postgres_databases(settings.database_url, built)
    children: list[Child] = []
    started = time.monotonic()
    try:
        replicas = {name: replicas_of(name, layout.get(name, 1), settings) for name in built}
        balanced = {f"{name.upper()}_ADDR": addresses_of(r, settings) for name, r in replicas.items() if len(r) > 1 and hasattr(settings, f"{name}_addr")}
        for name in built:
            env = {**child_environment(settings, redis_url, name), **balanced}
            for replica in replicas[name]:
                children.append(start_child(name, settings, env, log_dir, replica))
        health = asyncio.run(_until_stopped(wait_all(children, startup_timeout_s), stop_requested))
        if health is None:
            return
        table = Table(title="Emergency command and resource dispatch suite")
        table.add_column("service")
        table.add_column("address")
        table.add_column("status")
        table.add_column("metrics")
        metrics_ports = {r.name: r.metrics_port for rs in replicas.values() for r in rs}
        for child in children:
            metrics = 0 if settings.metrics_port == 0 else metrics_ports.get(child.name, DEFAULT_METRICS_PORTS[child.service])
            where = f"http://{settings.host}:{metrics}/metrics" if metrics else "free port (see its log)"
            table.add_row(child.name, child.address, "[green]SERVING[/green]" if health[child.name] else "[red]NOT SERVING[/red]", where)
        for name in missing:
            table.add_row(name, settings.address_of(name), "[yellow]not built[/yellow]", "")
        console.print(table)
        console.print(
            f"redis: {redis_url}   mqtt: {os.environ.get('MQTT_URL', '-')}   data: {data_dir.resolve()}   logs: {log_dir.resolve()}   healthy in {time.monotonic() - started:.1f} s"
        )
        if not all(health.values()):
            console.print("[red]some services did not become healthy; see their logs[/red]")
            raise typer.Exit(1)
        if seed:
            seeded = asyncio.run(_until_stopped(seed_demo_data(settings), stop_requested))
            if seeded is None:
                return
            console.print(seeded)
        web = start_web_console(settings, child_environment(settings, redis_url, "console"), log_dir, addresses_of(replicas["gateway"], settings))
        if web is not None:
            children.append(web)
            console.print(f"console: [bold]http://{web.address}[/bold]  (log in by picking a role)")
        # Only now, with the demo data loaded and the console up, may an operator (or `make demo`) begin.
        console.print(f"ready in {time.monotonic() - started:.1f} s")
        if once:
            return
        console.print("press Ctrl-C to stop")
        while not stop_requested():
            for child in children:
                if child.process.poll() is not None:
                    console.print(f"[red]{child.name} exited with code {child.process.returncode}; see {log_dir / (child.name + '.log')}[/red]")
                    raise typer.Exit(1)
            time.sleep(0.5)
    finally:
        console.print("stopping...")
        stop_children(children, settings.shutdown_grace_s)
        for helper in (redis_proc, mqtt_proc):
            if helper is not None:
                helper.terminate()
                helper.wait(timeout=10)
        console.print("stopped")


async def _until_stopped(work: Coroutine[Any, Any, T], stopped: Callable[[], bool]) -> T | None:
    """The work's result, or None once a stop is requested (the work is cancelled, and whatever it raised is dropped)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if stopped():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            return None
        await asyncio.wait({task}, timeout=0.1)
    if stopped():
        with contextlib.suppress(BaseException):
            task.result()
        return None
    return task.result()


def start_web_console(settings: Settings, env: dict[str, str], log_dir: Path, gateway: str, timeout_s: float = 30.0) -> Child | None:
    """Start the web console server (console.server) over the gateway (replicas) and wait until it answers; None if it is not built."""
    if importlib.util.find_spec("console.server") is None:
        return None
    env = {**env, "CONSOLE_GATEWAY": gateway}
    address = f"{env.get('CONSOLE_HOST', settings.host)}:{env.get('CONSOLE_PORT', '8080')}"
    log_file = (log_dir / "console.log").open("ab")
    # A session of its own, like the services: Ctrl-C reaches only the launcher, which stops it with the rest.
    process = subprocess.Popen([sys.executable, "-m", "console.server"], env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://{address}/api/v1/config", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    return Child("console", process, address)


async def wait_all(children: list[Child], timeout_s: float) -> dict[str, bool]:
    """Wait for every child's health, concurrently."""
    results = await asyncio.gather(*(wait_serving(c.address, GRPC_SERVICES[c.service], timeout_s) for c in children))
    return {c.name: ok for c, ok in zip(children, results, strict=True)}


if __name__ == "__main__":
    app()
