"""The MQTT side: a persistent QoS 1 subscription whose messages are stored before they are acknowledged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from services.alarms import store
from services.alarms.config import AlarmConfig
from services.alarms.payload import SUBSCRIPTIONS, read
from services.common.clock import utcnow
from services.common.db import run_in_thread

log = logging.getLogger(__name__)
Incoming = tuple[str, bytes, int, int]  # topic, payload, mid, qos


class MqttIntake:
    """Receives alarms with QoS 1 under a fixed client id and clean_session false, and acknowledges each one only once it is stored.

    A message the process never stored is never acknowledged, so the broker delivers it again after a crash;
    one stored twice is recorded once (topic and message id are unique).
    """

    def __init__(self, engine: Engine, config: AlarmConfig, on_stored: Callable[[], None]) -> None:
        self._engine = engine
        self._config = config
        self._on_stored = on_stored
        self._queue: asyncio.Queue[Incoming] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        host, port, username, password = config.broker()
        self._address = (host, port)
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=config.mqtt_client_id, clean_session=False, manual_ack=True)
        if username:
            self._client.username_pw_set(username, password or None)
        self._client.reconnect_delay_set(min_delay=1, max_delay=10)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.on_disconnect = self._on_disconnect

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object, properties: object) -> None:
        """Subscribe (again) once connected; the broker kept the session's queue meanwhile."""
        if getattr(reason, "is_failure", False):
            log.error("the broker refused the intake: %s", reason)
            return
        client.subscribe([(topic, 1) for topic in SUBSCRIPTIONS])
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.connected.set)
        log.info("subscribed to %s", ", ".join(SUBSCRIPTIONS))

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object, reason: object, properties: object) -> None:
        """Note the loss; paho reconnects by itself."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.connected.clear)
        log.warning("disconnected from the broker: %s", reason)

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        """Hand the message to the event loop (this runs on paho's network thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, (message.topic, bytes(message.payload), message.mid, message.qos))

    def start(self) -> None:
        """Connect in the background and start storing."""
        self._loop = asyncio.get_running_loop()
        self._client.connect_async(*self._address, keepalive=30)
        self._client.loop_start()
        self._task = asyncio.create_task(self._store_loop(), name="alarm-intake")

    async def stop(self) -> None:
        """Disconnect (unacknowledged messages stay with the broker) and stop storing."""
        self._client.disconnect()
        self._client.loop_stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _parse_and_record(self, batch: list[Incoming], received: datetime) -> None:
        """Check and store a batch (off the event loop: schema checks cost CPU)."""
        messages = [(read(topic, payload, received=received, max_skew_s=self._config.max_clock_skew_s), received) for topic, payload, _, _ in batch]
        store.record(self._engine, messages)

    async def _store_loop(self) -> None:
        """Store what arrived in batches, then acknowledge each stored message."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < self._config.batch:
                batch.append(self._queue.get_nowait())
            received = utcnow()
            while True:
                try:
                    await run_in_thread(self._parse_and_record, batch, received)
                    break
                except Exception:
                    log.exception("could not store %d alarms; retrying", len(batch))
                    await asyncio.sleep(0.5)
            for _, _, mid, qos in batch:
                if qos > 0:
                    self._client.ack(mid, qos)
            self._on_stored()
