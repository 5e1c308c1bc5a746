"""Settings fail fast on bad values and refuse the development secret outside the embedded run."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.settings import DEVELOPMENT_JWT_SECRET, Settings


def test_defaults_run_the_embedded_stack() -> None:
    settings = Settings()
    assert settings.environment == "embedded"
    assert settings.database_url_for("incident").startswith("sqlite:///")
    assert settings.address_of("dispatch") == "127.0.0.1:50054"
    assert [settings.port_for(s) for s in ("gateway", "incident", "resources", "casebase", "dispatch")] == [50050, 50051, 50052, 50053, 50054]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("INCIDENT_PORT", "70000"),
        ("INCIDENT_PORT", "abc"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://localhost:6379"),
        ("SHUTDOWN_GRACE_S", "-1"),
        ("LOG_LEVEL", "LOUD"),
        ("ENVIRONMENT", "staging"),
    ],
)
def test_bad_values_stop_start_up(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as info:
        Settings()
    assert variable.lower() in str(info.value).lower() or "database" in str(info.value).lower()


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings()
    monkeypatch.setenv("JWT_SECRET", "a-real-signing-secret-of-enough-length-32+")
    assert Settings().jwt_secret.get_secret_value() != DEVELOPMENT_JWT_SECRET


def test_env_overrides_ports_and_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_PORT", "6001")
    monkeypatch.setenv("CASEBASE_ADDR", "casebase:7000")
    settings = Settings()
    assert settings.address_of("incident") == "127.0.0.1:6001"
    assert settings.address_of("casebase") == "casebase:7000"
