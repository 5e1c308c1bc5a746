"""`make run`'s launcher: starts what is built, waits for health, lists what is not built, stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.common.local import free_port
from services.launcher import child_environment, database_url_for_service

ROOT = Path(__file__).resolve().parents[2]


def test_launcher_starts_incident_serving_and_stops(tmp_path: Path, redis_url: str) -> None:
    names = ("gateway", "incident", "resources", "casebase", "dispatch", "alarms", "console")
    ports: dict[str, str] = {}
    while len(set(ports.values())) < len(names):  # the kernel may hand out the same free port twice
        ports = {f"{name.upper()}_PORT": str(free_port()) for name in names}
    env = {**os.environ, **ports, "REDIS_URL": redis_url, "COLUMNS": "200", "MQTT_CLIENT_ID": f"launcher-test-{ports['ALARMS_PORT']}"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "services.launcher", "--data-dir", str(tmp_path / "data"), "--once", "--no-seed", "--startup-timeout-s", "120"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "incident" in line]
    assert any("SERVING" in line and ports["INCIDENT_PORT"] in line for line in lines), result.stdout
    assert "stopped" in result.stdout
    assert f"console: http://127.0.0.1:{ports['CONSOLE_PORT']}" in result.stdout
    assert result.stdout.index("ready in") > result.stdout.index("console: http"), "ready is said last, once the console is up"
    assert (tmp_path / "data" / "incident.db").exists()


async def test_incident_server_answers_reflection(tmp_path: Path, sqlite_url: str, redis_url: str) -> None:
    from services.incident.server import build_server
    from tests.conftest import service_settings

    running, port = await build_server(service_settings(tmp_path, sqlite_url, redis_url), port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
            names = [s.name async for r in responses for s in r.list_services_response.service]
        assert "emergency.incident.v1.IncidentService" in names
        assert "grpc.health.v1.Health" in names
    finally:
        await running.stop(1.0)


def test_per_service_database_urls() -> None:
    assert database_url_for_service("postgresql://postgres@127.0.0.1:5432/emergency", "incident") == "postgresql://postgres@127.0.0.1:5432/emergency_incident"
    assert database_url_for_service("sqlite:///data/suite.db", "casebase") == "sqlite:///data/suite_casebase.db"


def test_children_keep_free_metrics_ports_but_never_share_a_fixed_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.common.settings import load_settings

    monkeypatch.setenv("METRICS_PORT", "0")
    assert child_environment(load_settings(data_dir=tmp_path), "redis://127.0.0.1:1/0", "incident")["METRICS_PORT"] == "0"
    monkeypatch.setenv("METRICS_PORT", "9500")
    assert "METRICS_PORT" not in child_environment(load_settings(data_dir=tmp_path), "redis://127.0.0.1:1/0", "incident")


def test_replicas_take_ports_a_hundred_apart_and_are_reached_round_robin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.common.settings import load_settings
    from services.launcher import addresses_of, replicas_of

    monkeypatch.delenv("METRICS_PORT", raising=False)
    settings = load_settings(data_dir=tmp_path, host="127.0.0.1")
    two = replicas_of("dispatch", 2, settings)
    assert [(r.name, r.port, r.metrics_port) for r in two] == [("dispatch-1", 50054, 9464), ("dispatch-2", 50154, 9564)]
    assert addresses_of(two, settings) == "127.0.0.1:50054,127.0.0.1:50154"
    (one,) = replicas_of("gateway", 1, settings)
    assert one.name == "gateway" and addresses_of([one], settings) == "127.0.0.1:50050"


def test_gateway_replicas_refuse_to_start_without_postgresql(tmp_path: Path) -> None:
    env = {**os.environ, "GATEWAY_REPLICAS": "2", "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "services.launcher", "--data-dir", str(tmp_path / "data"), "--once", "--no-seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "DATABASE_URL=postgresql" in result.stdout


REPLICA_LAYOUT = ("--gateway-replicas", "2", "--dispatch-replicas", "2", "--startup-timeout-s", "120")


def test_launcher_starts_the_replica_layout_on_postgresql(tmp_path: Path, redis_url: str) -> None:
    from tests.conftest import POSTGRES_ADMIN_URL

    names = ("gateway", "incident", "resources", "casebase", "dispatch", "alarms", "console")
    ports = {f"{name.upper()}_PORT": str(free_port()) for name in names}
    base = f"launcher_replicas_{ports['GATEWAY_PORT']}"
    env = {
        **os.environ,
        **ports,
        "REDIS_URL": redis_url,
        "COLUMNS": "200",
        "METRICS_PORT": "0",
        "MQTT_CLIENT_ID": f"launcher-replicas-{ports['ALARMS_PORT']}",
        "DATABASE_URL": POSTGRES_ADMIN_URL.rpartition("/")[0].replace("postgresql://", "postgresql+psycopg://") + f"/{base}",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-m", "services.launcher", "--data-dir", str(tmp_path / "data"), "--once", "--no-seed", *REPLICA_LAYOUT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            for service in ("incident", "resources", "casebase", "dispatch", "gateway", "alarms"):
                conn.execute(f'DROP DATABASE IF EXISTS "{base}_{service}" WITH (FORCE)')
    assert result.returncode == 0, result.stdout + result.stderr
    gateway, dispatch = int(ports["GATEWAY_PORT"]), int(ports["DISPATCH_PORT"])
    for name, port in (("gateway-1", gateway), ("gateway-2", gateway + 100), ("dispatch-1", dispatch), ("dispatch-2", dispatch + 100)):
        assert any(name in line and f":{port}" in line and "SERVING" in line for line in result.stdout.splitlines()), result.stdout
