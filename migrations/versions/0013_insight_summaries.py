"""insights: daily summaries of the event log, kept on write, backfilled from the log

The insights page read up to 90 days of the log per render (hundreds of thousands of
rows on a busy board). These tables hold what it needs, kept in the same transaction
as each event (tack/services/insights_summary.py):
- insight_flow: net cards into each column per UTC day (cumulative flow);
- insight_cards: when a card last entered its column, and first started work;
- insight_done: each entry into a done column, with its lead and cycle start times.
Claims and notes (the hot writes) keep no summary: the page counts them per agent
from the log, through its (board_id, action, created_at, actor, card_id) index
(migration 0007), so a claim and a note write only their event.
The upgrade fills them by replaying the existing log (insights_summary.rebuild), so
an old database keeps its history on the page.

Revision ID: 0013_insight_summaries
Revises: 0012_cards_column_key
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_insight_summaries"
down_revision = "0012_cards_column_key"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "insight_flow",
        sa.Column("board_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("column_key", sa.String(64), primary_key=True),
        sa.Column("cards", sa.Integer(), nullable=False),
    )
    op.create_table(
        "insight_cards",
        sa.Column("card_id", sa.String(32), primary_key=True),
        sa.Column("entered_at", UTC, nullable=True),
        sa.Column("started_at", UTC, nullable=True),
    )
    op.create_table(
        "insight_done",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("board_id", sa.String(64), nullable=False),
        sa.Column("card_id", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("done_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=True),
        sa.Column("started_at", UTC, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_insight_done_board_at", "insight_done", ["board_id", "done_at"])
    # The replay is the application's own (the same code the tests check the kept
    # rows against), run on the migration's connection inside its transaction.
    from tack.services.insights_summary import rebuild
    rebuild(op.get_bind())


def downgrade():
    op.drop_index("ix_insight_done_board_at", table_name="insight_done")
    op.drop_table("insight_done")
    op.drop_table("insight_cards")
    op.drop_table("insight_flow")
