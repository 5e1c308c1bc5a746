"""The correlation rules and the payload checks on their own, and the simulator's burst against the published schema."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from typer.testing import CliRunner

from console.cli.app import app
from services.alarms.broker import BrokerFiles
from services.alarms.correlation import Group, Sensor, add_alarm, choose_group, severity_for
from services.alarms.payload import SCHEMA_PATH, read
from services.alarms.simulate import payload
from services.common.outbox import utcnow

CL2 = Sensor("parks/p/detectors/a", "p", "TOXIC_GAS", 31.9, 120.2, "chlorine", "1017", "2.3", "ppm")


def sensor(name: str, north_m: float, **changes: str) -> Sensor:
    """A chlorine detector some metres north of CL2."""
    values = {"name": f"parks/p/detectors/{name}", "park_id": "p", "kind": "TOXIC_GAS", "latitude": 31.9 + north_m / 111_320, "longitude": 120.2,
              "substance_name": "chlorine", "un_number": "1017", "hazard_class": "2.3", "unit": "ppm"}  # fmt: skip
    values.update(changes)
    return Sensor(**values)  # type: ignore[arg-type]


def test_severity_steps_and_single_linkage() -> None:
    assert [severity_for(s) for s in (0, 2, 5, 6, 15, 16, 39, 40)] == ["IV", "IV", "IV", "III", "III", "II", "II", "I"]
    now = utcnow()
    group = Group("incidents/x", "", "p", "chlorine", "1017", "2.3", "gas")
    add_alarm(group, CL2, "alarm", now)
    chain = [sensor(f"s{i}", 400 * i) for i in range(1, 6)]  # 400 m apart: each within reach of the previous one
    for member in chain:
        assert choose_group([group], member, "", now, distance_limit_m=500, window_s=600) is group
        add_alarm(group, member, "alarm", now)
    assert choose_group([group], sensor("far", 2700), "", now, distance_limit_m=500, window_s=600) is None
    assert (
        choose_group([group], sensor("ammonia", 10, substance_name="ammonia", un_number="1005"), "", now, distance_limit_m=500, window_s=600) is group
    )  # same class 2.3
    other = sensor("benzene", 10, substance_name="benzene", un_number="1114", hazard_class="3")
    assert choose_group([group], other, "", now, distance_limit_m=500, window_s=600) is None
    assert choose_group([group], CL2, "drill-1", now, distance_limit_m=500, window_s=600) is None  # another namespace
    assert choose_group([group], CL2, "", now + timedelta(seconds=601), distance_limit_m=500, window_s=600) is None  # window passed
    group.status = "RESPONDING"
    assert choose_group([group], CL2, "", now + timedelta(hours=3), distance_limit_m=500, window_s=600) is group
    group.status = "CANCELLED"
    assert choose_group([group], CL2, "", now, distance_limit_m=500, window_s=600) is None
    assert [level for level, _ in group.rises] == ["III"] and group.severity == "III"


def test_payload_checks() -> None:
    now = utcnow()
    good = payload("parks/p/detectors/a", "alarm", 1.5, "ppm", now, "m-1")
    assert read("parks/p/detectors/a/alarms", good, received=now, max_skew_s=60).reason == ""
    drill = read("drills/ex-1/parks/p/detectors/a/alarms", good, received=now, max_skew_s=60)
    assert drill.reason == "" and drill.exercise_id == "ex-1"
    assert read("parks/q/detectors/a/alarms", good, received=now, max_skew_s=60).reason == "PARK_MISMATCH"
    assert read("parks/p/detectors/b/alarms", good, received=now, max_skew_s=60).reason == "PARK_MISMATCH"
    assert read("elsewhere/a", good, received=now, max_skew_s=60).reason == "BAD_TOPIC"
    assert read("parks/p/detectors/a/alarms", good.replace(b"1.5", b"NaN"), received=now, max_skew_s=60).reason == "SCHEMA_VIOLATION"
    assert read("parks/p/detectors/a/alarms", b"x" * 5000, received=now, max_skew_s=60).reason == "BAD_PAYLOAD"
    assert json.loads(SCHEMA_PATH.read_text())["required"] == ["message_id", "detector", "level", "reading", "unit", "time"]


def test_simulate_publishes_a_schema_valid_burst(broker: BrokerFiles, tmp_path: Path) -> None:
    received: list[tuple[str, bytes]] = []
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="simulate-check", clean_session=True)
    client.username_pw_set("alarm-intake", broker.passwords["alarm-intake"])
    client.on_connect = lambda c, *_: c.subscribe("parks/+/detectors/+/alarms", qos=1)
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_message = lambda c, u, m: received.append((m.topic, bytes(m.payload)))
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        assert subscribed.wait(10)
        result = CliRunner().invoke(
            app, ["alarms", "simulate", "--park", "ligang", "--area", "lg-cl2", "--readings", "3", "--mqtt-url", broker.url("park-ligang")]
        )
        assert result.exit_code == 0, result.output
        sent = int(result.output.split()[1])
        for _ in range(100):
            if len(received) >= sent:
                break
            threading.Event().wait(0.05)
    finally:
        client.loop_stop()
        client.disconnect()
    assert sent >= 6 and len(received) == sent
    now = utcnow()
    assert all(read(topic, body, received=now, max_skew_s=60).reason == "" for topic, body in received)
    assert {json.loads(body)["level"] for _, body in received} == {"pre_alarm", "alarm"}
