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
    ports = {f"{name.upper()}_PORT": str(free_port()) for name in ("gateway", "incident", "resources", "casebase", "dispatch", "alarms")}
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
