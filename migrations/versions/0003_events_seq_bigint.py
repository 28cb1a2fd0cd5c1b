"""events.seq as a 64-bit integer on PostgreSQL (SQLite's rowid already is)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("events", "seq", type_=sa.BigInteger(), existing_nullable=False)
        op.execute("ALTER SEQUENCE events_seq_seq AS bigint")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER SEQUENCE events_seq_seq AS integer")
        op.alter_column("events", "seq", type_=sa.Integer(), existing_nullable=False)
