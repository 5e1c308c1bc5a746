"""Alarm intake process: build_server(settings) -> (server, port) and main(); MQTT in, incidents out through the gateway."""

from __future__ import annotations

import redis.asyncio as aioredis
from emergency.alarms.v1 import alarms_service_pb2, alarms_service_pb2_grpc

from services.alarms.config import AlarmConfig, load_alarm_config
from services.alarms.engine import Correlator
from services.alarms.incidents import Outbound
from services.alarms.mqtt_intake import MqttIntake
from services.alarms.servicer import AlarmServicer
from services.alarms.tables import TABLES
from services.alarms.watcher import IncidentWatcher
from services.common.db import make_engine
from services.common.migrations import migrate
from services.common.server import RunningServer, ServiceSpec, serve, service_main, service_name
from services.common.settings import Settings
from services.common.transactions import Transactions

SERVICE = "alarms"
SPEC = ServiceSpec(SERVICE, service_name(alarms_service_pb2, "AlarmService"), alarms_service_pb2_grpc.add_AlarmServiceServicer_to_server)


async def build_server(settings: Settings, port: int | None = None, config: AlarmConfig | None = None) -> tuple[RunningServer, int]:
    """Open the database, connect to the broker, start correlating and serve AlarmService."""
    config = config or load_alarm_config()
    engine = make_engine(settings.database_url_for(SERVICE))
    migrate(engine, SERVICE, TABLES)
    redis = aioredis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    outbound = Outbound(settings)
    correlator = Correlator(engine, outbound, config)
    intake = MqttIntake(engine, config, correlator.wake)
    watcher = IncidentWatcher(engine, redis, correlator)
    correlator.start()
    watcher.start()
    intake.start()

    async def close() -> None:
        await intake.stop()
        await watcher.stop()
        await correlator.stop()
        await outbound.close()
        await redis.aclose()
        engine.dispose()

    return await serve(settings, SPEC, port, AlarmServicer(Transactions(engine)), cleanups=[close])


def main() -> None:
    """Run the alarm intake until SIGTERM or SIGINT."""
    service_main(SERVICE, build_server)


if __name__ == "__main__":
    main()
