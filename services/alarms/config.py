"""Alarm intake settings: the broker (MQTT_*) and the correlation rules (ALARMS_*); the shared ones come from services.common.settings."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


class AlarmConfig(BaseSettings):
    """How the intake reaches the broker and how it correlates alarms into incidents."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False, populate_by_name=True)

    mqtt_url: str = Field(default=DEFAULT_MQTT_URL, description="mqtt://[user:password@]host:port of the broker")
    mqtt_username: str = Field(default="", description="The intake's broker user (overrides the URL's)")
    mqtt_password: SecretStr = Field(default=SecretStr(""), description="The intake's broker password (overrides the URL's)")
    mqtt_client_id: str = Field(default="emergency-alarm-intake", description="Fixed client id: the broker keeps its session and queue while it is down")
    distance_m: float = Field(default=600.0, gt=0, le=20000, validation_alias=AliasChoices("ALARMS_DISTANCE_M", "distance_m"))
    window_s: float = Field(default=900.0, gt=0, le=86400, validation_alias=AliasChoices("ALARMS_WINDOW_S", "window_s"))
    suppress_s: float = Field(default=1800.0, ge=0, le=7 * 86400, validation_alias=AliasChoices("ALARMS_SUPPRESS_S", "suppress_s"))
    note_interval_s: float = Field(default=0.5, gt=0, le=60, validation_alias=AliasChoices("ALARMS_NOTE_INTERVAL_S", "note_interval_s"))
    detector_refresh_s: float = Field(default=30.0, gt=0, le=3600, validation_alias=AliasChoices("ALARMS_DETECTOR_REFRESH_S", "detector_refresh_s"))
    max_clock_skew_s: float = Field(default=300.0, gt=0, le=86400, validation_alias=AliasChoices("ALARMS_MAX_CLOCK_SKEW_S", "max_clock_skew_s"))
    batch: int = Field(default=500, ge=1, le=10000, validation_alias=AliasChoices("ALARMS_BATCH", "batch"))

    @field_validator("mqtt_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        """Accept mqtt:// URLs with a host and port."""
        parsed = urlparse(value)
        if parsed.scheme != "mqtt" or not parsed.hostname:
            raise ValueError("must look like mqtt://host:1883 (TLS brokers: put a local bridge in front)")
        return value

    def broker(self) -> tuple[str, int, str, str]:
        """(host, port, username, password) of the broker."""
        parsed = urlparse(self.mqtt_url)
        username = self.mqtt_username or unquote(parsed.username or "")
        password = self.mqtt_password.get_secret_value() or unquote(parsed.password or "")
        return parsed.hostname or "127.0.0.1", parsed.port or 1883, username, password


def load_alarm_config(**overrides: object) -> AlarmConfig:
    """Read MQTT_* and ALARMS_* variables, applying explicit overrides (tests, bench)."""
    return AlarmConfig(**overrides)  # type: ignore[arg-type]
