"""The intake's storage on SQLite and PostgreSQL: a message is recorded once, decisions and groups are saved together."""

from __future__ import annotations

from datetime import timedelta

from services.alarms import correlation, store
from services.alarms.correlation import Group, Sensor, add_alarm
from services.alarms.payload import read
from services.alarms.simulate import payload
from services.alarms.tables import TABLES
from services.common.db import create_schema, make_engine
from services.common.outbox import utcnow


def test_record_decide_note_and_suppress(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, TABLES)
    try:
        now = utcnow()
        messages = [
            (read(f"parks/p/detectors/d{i}/alarms", payload(f"parks/p/detectors/d{i}", "alarm", 2.0, "ppm", now, f"m-{i}"), received=now, max_skew_s=60), now)
            for i in range(5)
        ]
        bad = (read("parks/p/detectors/d9/alarms", b"{", received=now, max_skew_s=60), now)
        store.record(engine, [*messages, bad])
        store.record(engine, messages[:3])  # a redelivery is recorded once
        pending = store.pending(engine, 100)
        assert [r.message_id for r in pending] == [f"m-{i}" for i in range(5)]
        sensor = Sensor("parks/p/detectors/d0", "p", "TOXIC_GAS", 31.9, 120.2, "chlorine", "1017", "2.3", "ppm")
        group = Group("incidents/inc-1", "", "p", "chlorine", "1017", "2.3", "gas")
        add_alarm(group, sensor, "alarm", now)
        decisions = [correlation.Decision(int(r.seq or 0), "ACCEPTED", incident=group.incident) for r in pending[:4]]
        decisions.append(correlation.Decision(int(pending[4].seq or 0), "REJECTED", "UNKNOWN_DETECTOR", "not registered"))
        store.save(engine, decisions, [group], now)
        assert store.pending(engine, 100) == []
        unnoted = store.unnoted(engine, 100)
        assert [r.message_id for r in unnoted] == ["m-0", "m-1", "m-2", "m-3"]
        store.mark_noted(engine, [int(r.seq or 0) for r in unnoted[:2]])
        assert [r.message_id for r in store.unnoted(engine, 100)] == ["m-2", "m-3"]
        loaded = store.live_groups(engine)
        assert [(g.incident, g.alarm_count, list(g.members)) for g in loaded] == [("incidents/inc-1", 1, ["parks/p/detectors/d0"])]
        assert store.set_status(engine, "incidents/inc-1", "CANCELLED") is not None and store.live_groups(engine) == []
        assert store.set_status(engine, "incidents/other", "CANCELLED") is None
        store.suppress(engine, "", ["parks/p/detectors/d0"], now + timedelta(minutes=30), "incidents/inc-1")
        store.suppress(engine, "", ["parks/p/detectors/d0"], now + timedelta(minutes=60), "incidents/inc-1")
        assert store.suppressions(engine, now) == {("", "parks/p/detectors/d0"): now + timedelta(minutes=60)}
        assert store.suppressions(engine, now + timedelta(hours=2)) == {}
        assert store.stream_position(engine, "s") == ""
        store.save_stream_position(engine, "s", "1-0")
        store.save_stream_position(engine, "s", "2-0")
        assert store.stream_position(engine, "s") == "2-0"
    finally:
        engine.dispose()
