"""Gateway-only settings (GATEWAY_* variables); the shared ones come from services.common.settings."""

from __future__ import annotations

import socket
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

FaultStep = Literal["", "reserve-call", "reserved", "confirmed", "transitioned"]


class GatewayConfig(BaseSettings):
    """How the gateway plans, commits, limits and runs drills; every value has a GATEWAY_ variable."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", case_sensitive=False)

    reservation_ttl_s: int = Field(default=90, ge=5, le=3600, description="Time to live of a reservation until it is confirmed")
    default_max_replans: int = Field(default=3, ge=0, le=10, description="Re-plans of a stale commit when the request names none")
    plan_time_limit_s: float = Field(default=2.0, gt=0, le=60, description="Solver time limit when the request sets none")
    replan_time_limit_s: float = Field(default=0.5, gt=0, le=60, description="Solver time limit of a re-plan after a refused reservation")
    replan_batch_window_s: float = Field(default=0.05, ge=0, le=5, description="How long a re-plan waits for other stale commits to plan with")
    plan_workers: int = Field(default=2, ge=1, le=16, description="Solver workers when the request sets none")
    snapshot_page_size: int = Field(default=2000, ge=1, le=10000, description="Units per availability snapshot page")
    transition_attempts: int = Field(default=5, ge=1, le=20, description="Re-reads of an incident whose version moved during a commit")
    rate_limit_per_s: float = Field(default=20.0, ge=0, description="Calls per second per principal; 0 turns the limit off")
    rate_limit_burst: int = Field(default=60, ge=1, description="Calls a principal may make at once before the rate applies")
    recover_on_start: bool = Field(default=True, description="Resume or compensate unfinished commits when the process starts")
    replica: str = Field(default="", max_length=80, description="Name of this gateway replica (saga leases, read model); empty: host:port")
    saga_lease_s: float = Field(default=15.0, gt=0, le=600, description="How long a replica's claim on a running commit lasts unless renewed")
    saga_sweep_s: float = Field(default=5.0, ge=0, le=600, description="Seconds between looks for commits whose replica stopped renewing; 0: only at start")
    fault_after_step: FaultStep = Field(default="", description="Fault injection for tests: exit hard (SIGKILL) right after this saga step")
    drill_tail_s: float = Field(default=1800.0, ge=0, le=7 * 86400, description="Scenario seconds after the last inject before an unfinished drill is closed")
    drill_poll_s: float = Field(default=0.2, gt=0, le=10, description="Wall seconds between checks of a drill waiting for operators")
    watch_block_ms: int = Field(default=1000, ge=10, le=10000, description="XREAD BLOCK time of an event stream loop")
    drill_mqtt_url: str = Field(default="", description="Broker URL with the drill injector's credentials for DETECTOR_ALARMS injects; empty: MQTT_URL")
    recent_event_ids: int = Field(default=10000, ge=100, description="Event ids remembered per watcher for de-duplication")
    readmodel_enabled: bool = Field(default=True, description="Keep the situation read model; off: GetSituation and ProposePlan read the services")
    readmodel_replica: str = Field(default="", max_length=80, description="Name of this replica's read model and consumer group; empty: GATEWAY_REPLICA")
    readmodel_block_ms: int = Field(default=1000, ge=10, le=10000, description="XREADGROUP BLOCK time of the read model's consumer")
    readmodel_batch: int = Field(default=200, ge=1, le=10000, description="Stream entries the read model reads per stream at once")
    readmodel_wait_s: float = Field(default=1.0, ge=0, le=30, description="How long a read waits for this replica's own writes to reach the read model")
    readmodel_max_staleness_s: float = Field(default=5.0, gt=0, le=600, description="Reads take the live path when the consumer last caught up longer ago")
    readmodel_checkpoint_s: float = Field(default=1.0, gt=0, le=600, description="Seconds between saves of the read model and its stream positions")
    readmodel_fetch_concurrency: int = Field(default=8, ge=1, le=64, description="Backend reads in flight while the read model refreshes changed units")


def load_gateway_config(**overrides: object) -> GatewayConfig:
    """Read GATEWAY_* variables, applying explicit overrides (tests, bench)."""
    return GatewayConfig(**overrides)  # type: ignore[arg-type]


def replica_name(config: GatewayConfig, port: int) -> str:
    """This gateway replica's name: GATEWAY_REPLICA, else host:port (stable across restarts on the same port)."""
    return config.replica or f"{socket.gethostname()}:{port}"
