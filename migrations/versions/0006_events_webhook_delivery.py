"""webhook delivery: a lease per hook (one process delivers at a time) and the time
the next try is due after a failure

Revision ID: 0006_events_webhook_delivery
Revises: 0005_links_deps_search_webhooks
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_events_webhook_delivery"
down_revision = "0005_links_deps_search_webhooks"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("webhooks") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", UTC, nullable=True))
        batch.add_column(sa.Column("retry_at", UTC, nullable=True))


def downgrade():
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("retry_at")
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
