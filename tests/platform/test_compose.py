"""The compose file: every service's command exists in the project, ports match settings, start is health-gated."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import yaml

from services.common.settings import SERVICE_NAMES, Settings

ROOT = Path(__file__).resolve().parents[2]


def load_compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def test_infrastructure_is_there() -> None:
    services = load_compose()["services"]
    for name in ("postgres", "redis", "otel-collector", "jaeger"):
        assert name in services, name
    for path in ("deploy/postgres-init.sql", "deploy/otel-collector.yaml", "Dockerfile"):
        assert (ROOT / path).is_file(), path


def test_each_service_command_exists_and_ports_match_settings() -> None:
    compose = load_compose()["services"]
    defaults = Settings()
    for name in SERVICE_NAMES:
        service = compose[name]
        command = service["command"]
        assert command[:2] == ["python", "-m"], command
        module = command[2]
        assert importlib.util.find_spec(module.rsplit(".", 1)[0]) is not None, module
        assert (ROOT / (module.replace(".", "/") + ".py")).parent.is_dir(), module
        env = service["environment"]
        port = int(env[f"{name.upper()}_PORT"])
        assert port == defaults.port_for(name)
        probe = service["healthcheck"]["test"]
        assert probe[1:4] == ["python", "-m", "services.common.healthcheck"]
        assert probe[4] == f"127.0.0.1:{port}"
        assert probe[5].startswith("emergency.") and probe[5].endswith("Service")
        for other in SERVICE_NAMES:
            if other != "gateway":
                assert env[f"{other.upper()}_ADDR"] == f"{other}:{defaults.port_for(other)}"
        Settings(**{k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields and "${" not in str(v)}, jwt_secret="x" * 32)


def test_gateway_starts_after_every_backend_is_healthy() -> None:
    gateway = load_compose()["services"]["gateway"]
    for name in ("incident", "resources", "casebase", "dispatch", "postgres", "redis"):
        assert gateway["depends_on"][name]["condition"] == "service_healthy"


def test_databases_are_one_per_service() -> None:
    compose = load_compose()["services"]
    urls = {name: compose[name]["environment"].get("DATABASE_URL") for name in SERVICE_NAMES if "DATABASE_URL" in compose[name]["environment"]}
    assert len(set(urls.values())) == len(urls)
    init = (ROOT / "deploy/postgres-init.sql").read_text()
    for url in urls.values():
        assert url.rsplit("/", 1)[1] in init
