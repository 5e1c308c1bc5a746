"""Schema migrations of one service's database: show where it is, upgrade it, stamp it, or draft the next revision.

Run from the project root, e.g. `.venv/bin/python scripts/migration.py current resources`. The database is the
service's own (DATABASE_URL, or the SQLite file under DATA_DIR) unless --url names another.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from alembic import command

from services.common.db import make_engine
from services.common.migrations import TABLE_MODULES, alembic_config, current_revision, draft_revision, head_revision, migrate, migration_lock
from services.common.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
SERVICE = typer.Argument(..., help=f"The service: {', '.join(TABLE_MODULES)}.")
URL = typer.Option("", "--url", help="Database URL (default: the service's database from the settings).")


def _url(service: str, url: str) -> str:
    """The given URL, or the service's database from the settings."""
    return url or load_settings().database_url_for(service)


@app.command()
def current(service: str = SERVICE, url: str = URL) -> None:
    """Print the revision the database is at and the latest revision."""
    engine = make_engine(_url(service, url))
    with engine.connect() as connection:
        at = current_revision(connection)
    engine.dispose()
    typer.echo(f"{service}: database at {at or 'no revision (empty, or made before migrations)'}, head {head_revision(service)}")


@app.command()
def history(service: str = SERVICE) -> None:
    """List the service's revisions, newest first."""
    command.history(alembic_config(service))


@app.command()
def upgrade(service: str = SERVICE, url: str = URL) -> None:
    """Bring the database to the latest revision (what the service does at start)."""
    engine = make_engine(_url(service, url))
    typer.echo(f"{service}: at {migrate(engine, service)}")
    engine.dispose()


@app.command()
def stamp(service: str = SERVICE, revision: str = typer.Argument(..., help="The revision the database's tables are at."), url: str = URL) -> None:
    """Record that the database is at a revision without running anything (for a database brought there by hand)."""
    engine = make_engine(_url(service, url))
    with migration_lock(engine, service) as connection:
        command.stamp(alembic_config(service, connection), revision)
    engine.dispose()
    typer.echo(f"{service}: stamped {revision}")


@app.command()
def draft(
    service: str = SERVICE,
    message: str = typer.Argument(..., help="What the revision does, e.g. 'detector maintenance dates'."),
    url: str = typer.Option("", "--url", help="Compare with this database at head instead of a scratch SQLite one."),
) -> None:
    """Write the next revision from what the service's tables add to its latest revision; read it before committing."""
    written = draft_revision(service, message, make_engine(url) if url else None)
    if written is None:
        typer.echo(f"{service}: the tables match the latest revision; nothing to draft")
        raise typer.Exit(1)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(written)], check=False)
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", str(written)], check=False)
    typer.echo(f"{service}: wrote {written.relative_to(ROOT)}")


if __name__ == "__main__":
    app()
