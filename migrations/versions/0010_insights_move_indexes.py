"""events: covering indexes over moves, for the insights page

Moves are what the insights page reads most (cumulative flow, completions, cycle
times, when a card entered its column), and each read needs the move's details
("from -> to"). Two partial indexes (moves only, so the notes' and titles' longer
details stay out) carry the details, so those reads never touch the table rows:
- (board_id, action, created_at, card_id, actor, seq, details): moves of a board
  over a window of days;
- (card_id, action, seq, created_at, details): one card's moves in order (its first move, its
  first start of work, its latest entry into its column).
The queries name the action as a literal ('moved') so both planners can see the
partial index applies.

Revision ID: 0010_insights_move_indexes
Revises: 0009_agentkanban_keys_turns
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_insights_move_indexes"
down_revision = "0009_agentkanban_keys_turns"
branch_labels = None
depends_on = None

MOVES_ONLY = sa.text("action = 'moved'")


def upgrade():
    op.create_index("ix_events_board_moves", "events",
                    ["board_id", "action", "created_at", "card_id", "actor", "seq", "details"],
                    sqlite_where=MOVES_ONLY, postgresql_where=MOVES_ONLY)
    op.create_index("ix_events_card_moves", "events",
                    ["card_id", "action", "seq", "created_at", "details"],
                    sqlite_where=MOVES_ONLY, postgresql_where=MOVES_ONLY)


def downgrade():
    op.drop_index("ix_events_card_moves", table_name="events")
    op.drop_index("ix_events_board_moves", table_name="events")
