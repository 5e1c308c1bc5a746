"""Saga leases: the gateway replica running a commit and until when, so that exactly one replica takes over a dead one's."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("gateway_sagas") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=80), nullable=False, server_default=""))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("gateway_sagas") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
