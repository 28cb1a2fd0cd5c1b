"""events: index (board_id, action, created_at) for the insights page

Insights count one kind of event per day over a window (moves, creations,
completions, claims, notes); with this index each of those reads only the rows of
that kind in the window instead of every event of the board.

Revision ID: 0006_insights_events_action_index
Revises: 0005_links_deps_search_webhooks
Create Date: 2026-11-26
"""
from alembic import op

revision = "0006_insights_events_action_index"
down_revision = "0005_links_deps_search_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_events_board_action_created", "events",
                    ["board_id", "action", "created_at"], unique=False)


def downgrade():
    op.drop_index("ix_events_board_action_created", table_name="events")
