"""Each service's schema as versioned Alembic revisions under migrations/, applied at start under a lock.

migrate() is what a service calls when it opens its database: it takes the service's migration lock (a
PostgreSQL advisory lock held by the migration's transaction, or SQLite's write lock), stamps a database made
before migrations existed at the revision its tables match, and upgrades it to the latest revision. Replicas
starting together queue on the lock; the ones after the first find the database already at head.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, text
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
VERSION_TABLE = "alembic_version"
# The modules whose TABLES make up each service's database.
TABLE_MODULES: dict[str, tuple[str, ...]] = {
    "incident": ("services.incident.tables",),
    "resources": ("services.resources.tables",),
    "casebase": ("services.casebase.tables",),
    "alarms": ("services.alarms.tables",),
    "gateway": ("gateway.tables",),
}

log = logging.getLogger(__name__)
# Alembic's op and context are process-wide proxies: one migration at a time in a process, whatever its database.
_IN_PROCESS = threading.RLock()


class MigrationError(RuntimeError):
    """A database that cannot be brought to the service's schema without someone deciding how."""


def alembic_config(service: str, connection: Connection | None = None, target_metadata: MetaData | None = None) -> Config:
    """Alembic's configuration for one service, built in code: the shared environment and the service's revisions."""
    if service not in TABLE_MODULES:
        raise MigrationError(f"no migrations for service {service!r}: one of {', '.join(TABLE_MODULES)}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", str(MIGRATIONS / service / "versions"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes.update(service=service, connection=connection, target_metadata=target_metadata)
    return config


def run_environment() -> None:
    """Body of migrations/env.py: run the pending command on the connection the caller put in the configuration."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        raise MigrationError("migrations run on a connection given in code: use scripts/migration.py")
    context.configure(
        connection=connection,
        target_metadata=config.attributes.get("target_metadata"),
        render_as_batch=True,  # ALTERs become table rebuilds on SQLite, plain ALTERs on PostgreSQL
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def render_item(kind: str, obj: Any, _autogen: AutogenContext) -> str | Literal[False]:
    """Write SQLModel's column types as the plain SQLAlchemy types they store, so revisions do not depend on SQLModel."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def service_metadata(service: str) -> MetaData:
    """The service's tables as they are in the code today, in a metadata of their own."""
    metadata = MetaData()
    for module in TABLE_MODULES[service]:
        for model in importlib.import_module(module).TABLES:
            model.__table__.to_metadata(metadata)
    return metadata


def migrate(engine: Engine, service: str, tables: Sequence[type[SQLModel]] = ()) -> str:
    """Bring the service's database to its latest revision under the service's migration lock; return that revision.

    The given tables (those the service uses) must all exist afterwards: a table without a revision is an error.
    """
    started = time.perf_counter()
    with _IN_PROCESS, migration_lock(engine, service) as connection:
        before = current_revision(connection)
        if before is None:
            before = adopt(connection, service)
        command.upgrade(alembic_config(service, connection), "head")
        after = current_revision(connection)
        if after != before and connection.dialect.name == "sqlite":
            _check_foreign_keys(connection, service)
        missing = sorted({model.__table__.name for model in tables} - set(inspect(connection).get_table_names()))  # type: ignore[attr-defined]
        if missing:
            raise MigrationError(f"{service}: tables without a revision: {', '.join(missing)}; draft one with scripts/migration.py draft {service}")
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    log.info("schema at head", extra={"service": service, "from_revision": before or "empty", "revision": after, "elapsed_ms": elapsed_ms})
    assert after is not None
    return after


@contextmanager
def migration_lock(engine: Engine, service: str) -> Iterator[Connection]:
    """A connection in one transaction that holds the service's migration lock until it commits or rolls back."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            with _sqlite_foreign_keys_off(connection), connection.begin():
                if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
                    connection.exec_driver_sql("BEGIN IMMEDIATE")  # an engine not made by make_engine
                yield connection
            return
        with connection.begin():
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(connection.engine.url.database or "", service)})
            yield connection


def lock_key(database: str, service: str) -> int:
    """The advisory lock key of one service's migrations in one database (advisory locks span the whole server)."""
    digest = hashlib.blake2b(f"emergency-migrations:{database}:{service}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Foreign keys off while tables are rebuilt (SQLite's way to ALTER); migrate() checks them once before the commit."""
    raw = connection.connection.driver_connection
    assert raw is not None
    enabled = raw.execute("PRAGMA foreign_keys").fetchone()[0]
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def _check_foreign_keys(connection: Connection, service: str) -> None:
    """Refuse to commit a migration that left rows pointing at nothing (SQLite ran it with foreign keys off)."""
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise MigrationError(f"{service}: the migration leaves rows with broken foreign keys: {violations[:5]}")


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None when it has no version table (empty, or made before migrations)."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision(service: str) -> str:
    """The service's latest revision."""
    head = ScriptDirectory.from_config(alembic_config(service)).get_current_head()
    assert head is not None
    return head


def revisions(service: str) -> list[str]:
    """The service's revisions, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(service))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def table_columns(connection: Connection) -> dict[str, frozenset[str]]:
    """Each table of the database (but the version table) with its column names."""
    inspector = inspect(connection)
    names = [name for name in inspector.get_table_names() if name != VERSION_TABLE]
    return {name: frozenset(column["name"] for column in inspector.get_columns(name)) for name in names}


def adopt(connection: Connection, service: str) -> str | None:
    """Stamp a database made before migrations existed at the revision whose tables it has; None for an empty one."""
    found = table_columns(connection)
    if not found:
        return None
    for revision, expected in reversed(revision_schemas(service)):
        if expected == found:
            command.stamp(alembic_config(service, connection), revision)
            log.info("schema adopted", extra={"service": service, "revision": revision})
            return revision
    raise MigrationError(
        f"{service}: the database has tables ({', '.join(sorted(found))}) but no version table, and they match no revision; "
        f"bring them to a revision by hand, then mark it with scripts/migration.py stamp {service} REVISION"
    )


@functools.cache
def revision_schemas(service: str) -> list[tuple[str, dict[str, frozenset[str]]]]:
    """Each revision of the service, oldest first, with the tables and columns it leaves (built in a scratch SQLite)."""
    scratch = create_engine("sqlite://")
    schemas = []
    with _IN_PROCESS, scratch.connect() as connection:
        for revision in revisions(service):
            with connection.begin():
                command.upgrade(alembic_config(service, connection), revision)
                schemas.append((revision, table_columns(connection)))
    scratch.dispose()
    return schemas


@contextmanager
def scratch_at_head(service: str) -> Iterator[Connection]:
    """A connection to an in-memory SQLite database at the service's latest revision."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.connect() as connection:
            with connection.begin():
                command.upgrade(alembic_config(service, connection), "head")
            yield connection
    finally:
        scratch.dispose()


def schema_differences(connection: Connection, service: str) -> list[Any]:
    """What differs between the database and the service's tables in the code (Alembic's autogenerate diffs)."""
    migration_context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(migration_context, service_metadata(service)))


def draft_revision(service: str, message: str, engine: Engine | None = None) -> Path | None:
    """Write the next revision of the service from what its tables add to a database at head; None when nothing differs.

    The database is a scratch SQLite brought to head unless an engine is given. Read the draft before committing it:
    autogenerate sees no renames (it writes a drop and an add) and no data moves.
    """
    with _IN_PROCESS, engine.connect() if engine is not None else scratch_at_head(service) as connection:
        if not schema_differences(connection, service):
            return None
        config = alembic_config(service, connection, target_metadata=service_metadata(service))
        written = command.revision(config, message=message, autogenerate=True, rev_id=f"{len(revisions(service)) + 1:04d}")
    assert written is not None and not isinstance(written, list)
    return Path(written.path)
