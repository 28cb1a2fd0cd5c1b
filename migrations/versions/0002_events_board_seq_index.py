"""events: index (board_id, seq) so "the newest event of a board" is one index probe

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.create_index("ix_events_board_seq", ["board_id", "seq"], unique=False)
        batch_op.drop_index("ix_events_board_id")


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.create_index("ix_events_board_id", ["board_id"], unique=False)
        batch_op.drop_index("ix_events_board_seq")
