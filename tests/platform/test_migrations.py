"""Every service's schema comes from its migrations: empty and older databases reach head with their rows, under one lock."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, Boolean, Connection, DateTime, Engine, Float, Integer, LargeBinary, MetaData, String, Table, Text, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel
from typer.testing import CliRunner

from gateway.tables import TABLES as GATEWAY_TABLES
from scripts.migration import app as migration_cli
from services.alarms.tables import TABLES as ALARMS_TABLES
from services.casebase.tables import TABLES as CASEBASE_TABLES
from services.common import migrations
from services.common.clock import as_utc
from services.common.db import create_schema, make_engine
from services.common.migrations import (
    TABLE_MODULES,
    MigrationError,
    alembic_config,
    current_revision,
    head_revision,
    migrate,
    migration_lock,
    revision_schemas,
    revisions,
    schema_differences,
    scratch_at_head,
)
from services.common.runtime import open_storage
from services.incident.tables import TABLES as INCIDENT_TABLES
from services.resources.store import ResourceStore
from services.resources.tables import TABLES as RESOURCES_TABLES
from tests.conftest import service_settings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = tuple(TABLE_MODULES)
TABLES: dict[str, list[type[SQLModel]]] = {
    "incident": list(INCIDENT_TABLES),
    "resources": list(RESOURCES_TABLES),
    "casebase": list(CASEBASE_TABLES),
    "alarms": list(ALARMS_TABLES),
    "gateway": list(GATEWAY_TABLES),
}
BASELINE = "0001"
SAMPLE_TIME = datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
# Values a check constraint needs; every other column takes a value of its type (one string for all, so foreign keys hold).
SAMPLE_VALUES = {("units", "state"): "AVAILABLE"}
SKIPPED = {"mutual_aid"}  # lender and borrower must be two parks


def sample_value(table: Table, column: Any) -> Any:
    """A value of the column's type that satisfies the baseline's constraints."""
    if (table.name, column.name) in SAMPLE_VALUES:
        return SAMPLE_VALUES[(table.name, column.name)]
    kind = column.type
    for python_type, value in ((Boolean, False), (Integer, 1), (Float, 1.5), (DateTime, SAMPLE_TIME), (LargeBinary, b"\x01"), (JSON, ["p"])):
        if isinstance(kind, python_type):
            return value
    assert isinstance(kind, String | Text), f"{table.name}.{column.name}: no sample for {kind!r}"
    return "p"


def fill_every_table(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Insert one row into each table of the database (parents first); return every table's rows as read back."""
    metadata = MetaData()
    metadata.reflect(connection)
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in metadata.sorted_tables:
        if table.name in SKIPPED or table.name == "alembic_version":
            continue
        connection.execute(table.insert().values({column.name: sample_value(table, column) for column in table.columns}))
        rows[table.name] = [dict(row._mapping) for row in connection.execute(select(table))]
    return rows


def read_tables(engine: Engine, earlier: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The rows of the tables read earlier, in the columns they had then (later revisions may add columns)."""
    metadata = MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection, only=list(earlier))
        return {
            name: [{column: row._mapping[column] for column in rows[0]} for row in connection.execute(select(metadata.tables[name]))]
            for name, rows in earlier.items()
        }


async def start_storage(service: str, url: str, tmp_path: Path, redis_url: str) -> None:
    """Open the service's database the way the service does at start, then close it."""
    if service == "resources":
        ResourceStore.open(url).engine.dispose()
    elif service == "alarms":
        engine = make_engine(url)  # the alarm intake's build_server migrates this way before it connects to the broker
        migrate(engine, service, TABLES[service])
        engine.dispose()
    else:
        storage = open_storage(service_settings(tmp_path, url, redis_url), service, TABLES[service])
        await storage.close()


def at_revision(engine: Engine, service: str, revision: str) -> None:
    """Bring an empty database to an older revision."""
    with migration_lock(engine, service) as connection:
        command.upgrade(alembic_config(service, connection), revision)


def revision_of(engine: Engine) -> str | None:
    """The revision the database is at."""
    with engine.connect() as connection:
        return current_revision(connection)


@pytest.mark.parametrize("service", SERVICES)
def test_an_empty_database_upgrades_to_exactly_the_tables(database_url: str, service: str) -> None:
    engine = make_engine(database_url)
    assert migrate(engine, service, TABLES[service]) == head_revision(service)
    with engine.connect() as connection:
        assert schema_differences(connection, service) == []
    assert migrate(engine, service, TABLES[service]) == head_revision(service)  # a second start changes nothing
    engine.dispose()


# Every older schema of every service (for a service with one revision, the baseline itself).
OLDER = [(service, revision) for service in SERVICES for revision in (revisions(service)[:-1] or revisions(service))]


@pytest.mark.parametrize(("service", "revision"), OLDER)
async def test_a_database_at_an_older_schema_upgrades_at_start_with_its_rows(
    database_url: str, service: str, revision: str, tmp_path: Path, clean_redis: str
) -> None:
    engine = make_engine(database_url)
    at_revision(engine, service, revision)
    with engine.begin() as connection:
        before = fill_every_table(connection)
    assert before, "the baseline has tables to fill"
    await start_storage(service, database_url, tmp_path, clean_redis)
    assert revision_of(engine) == head_revision(service)
    assert read_tables(engine, before) == before
    with engine.connect() as connection:
        assert schema_differences(connection, service) == []
    engine.dispose()


def test_the_resources_store_reads_rows_written_before_the_upgrade(database_url: str) -> None:
    from services.resources.tables import DetectorRow, ParkRow, UnitRow

    engine = make_engine(database_url)
    at_revision(engine, "resources", BASELINE)
    with engine.begin() as connection:
        fill_every_table(connection)
    engine.dispose()
    store = ResourceStore.open(database_url)
    park_updated = store.read(lambda session: session.get_one(ParkRow, "p").update_time)
    unit_state = store.read(lambda session: session.get_one(UnitRow, ("p", "p", "p")).state)
    assert (as_utc(park_updated), unit_state) == (SAMPLE_TIME, "AVAILABLE")
    store.write(
        lambda session: session.add(
            DetectorRow(
                park_id="p",
                detector_id="d1",
                display_name="D1",
                kind="GAS",
                latitude=31.9,
                longitude=120.2,
                pre_alarm_threshold=1,
                alarm_threshold=2,
                unit="ppm",
            )
        )
    )
    assert store.read(lambda session: session.get_one(DetectorRow, ("p", "d1")).kind) == "GAS"
    store.engine.dispose()


REBUILD_PARKS = """
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("parks") as batch_op:  # SQLite rebuilds the table, PostgreSQL alters it
        batch_op.alter_column("contact_phone", type_=sa.String(length=80))
"""


def test_an_alter_of_a_referenced_table_keeps_its_rows_and_foreign_keys(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS, copy)
    (copy / "resources" / "versions" / "0003_rebuild_parks.py").write_text(REBUILD_PARKS)
    engine = make_engine(database_url)
    at_revision(engine, "resources", head_revision("resources"))
    with engine.begin() as connection:
        rows = fill_every_table(connection)
    monkeypatch.setattr(migrations, "MIGRATIONS", copy)
    assert migrate(engine, "resources", TABLES["resources"]) == "0003"
    assert read_tables(engine, rows) == rows
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("DELETE FROM parks"))  # depots still refer to the park
    engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_a_database_made_by_create_all_is_adopted(database_url: str, service: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, TABLES[service])
    assert revision_of(engine) is None
    assert migrate(engine, service, TABLES[service]) == head_revision(service)
    with engine.connect() as connection:
        assert schema_differences(connection, service) == []
    engine.dispose()


@pytest.mark.parametrize("service", ["resources", "gateway"])
def test_a_baseline_database_without_a_version_table_is_stamped_then_upgraded(database_url: str, service: str) -> None:
    engine = make_engine(database_url)
    at_revision(engine, service, BASELINE)
    with engine.begin() as connection:
        rows = fill_every_table(connection)
        connection.execute(text("DROP TABLE alembic_version"))
    assert migrate(engine, service, TABLES[service]) == head_revision(service)
    assert read_tables(engine, rows) == rows
    engine.dispose()


def test_each_revision_leaves_a_schema_of_its_own() -> None:
    for service in SERVICES:
        schemas = [schema for _, schema in revision_schemas(service)]
        assert len({tuple(sorted(schema.items())) for schema in schemas}) == len(schemas), service


def test_tables_that_match_no_revision_are_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, TABLES["incident"][:2])
    with pytest.raises(MigrationError, match="match no revision"):
        migrate(engine, "incident", TABLES["incident"])
    assert revision_of(engine) is None
    engine.dispose()


def test_a_table_without_a_revision_stops_the_start(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    unrevised = SimpleNamespace(__table__=Table("detector_maintenance", MetaData()))
    with pytest.raises(MigrationError, match="detector_maintenance"):
        migrate(engine, "resources", [*TABLES["resources"], unrevised])  # type: ignore[list-item]
    assert revision_of(engine) is None  # the whole migration rolled back
    engine.dispose()


REPLICA = """
import os, sys, time
from pathlib import Path
from services.common.db import make_engine
from services.common.migrations import migrate
url, service, ready, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
engine = make_engine(url)
(ready / str(os.getpid())).touch()
while len(list(ready.iterdir())) < count:
    time.sleep(0.01)
print(migrate(engine, service))
"""


def test_replicas_starting_together_all_reach_head(database_url: str, tmp_path: Path) -> None:
    ready, replicas = tmp_path / "ready", 3
    ready.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", REPLICA, database_url, "gateway", str(ready), str(replicas)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(replicas)
    ]
    outcomes = [process.communicate(timeout=180) for process in processes]
    assert [process.returncode for process in processes] == [0] * replicas, [err[-2000:] for _, err in outcomes]
    assert [out.strip() for out, _ in outcomes] == [head_revision("gateway")] * replicas


def test_threads_of_one_process_migrate_one_database_at_a_time(postgres_url: str) -> None:
    engines = [make_engine(postgres_url) for _ in range(3)]
    barrier = threading.Barrier(len(engines))

    def replica(engine: Engine) -> str:
        barrier.wait()
        return migrate(engine, "resources", TABLES["resources"])

    with ThreadPoolExecutor(len(engines)) as pool:
        assert list(pool.map(replica, engines, timeout=120)) == [head_revision("resources")] * len(engines)
    for engine in engines:
        engine.dispose()


def test_a_second_replica_waits_for_the_migration_in_progress(database_url: str) -> None:
    holder, replica = make_engine(database_url), make_engine(database_url)
    with ThreadPoolExecutor(1) as pool:
        with migration_lock(holder, "gateway"):
            waiting = pool.submit(migrate, replica, "gateway")
            time.sleep(0.5)
            assert not waiting.done()
        assert waiting.result(timeout=60) == head_revision("gateway")
    holder.dispose()
    replica.dispose()


def test_the_command_line_shows_upgrades_and_drafts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    runner = CliRunner()
    assert "no revision" in runner.invoke(migration_cli, ["current", "gateway", "--url", url]).output
    assert runner.invoke(migration_cli, ["upgrade", "gateway", "--url", url]).exit_code == 0
    assert f"database at {head_revision('gateway')}" in runner.invoke(migration_cli, ["current", "gateway", "--url", url]).output
    with scratch_at_head("gateway") as scratch:  # a draft would be written into migrations/: only ask when there is none
        assert schema_differences(scratch, "gateway") == []
    drafted = runner.invoke(migration_cli, ["draft", "gateway", "nothing new"])
    assert drafted.exit_code == 1 and "nothing to draft" in drafted.output
