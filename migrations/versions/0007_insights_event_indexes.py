"""events: indexes for the insights page

- (board_id, action, created_at, actor, card_id): insights count one kind of event
  per day over a window (moves, creations, claims, notes); each reads only the rows
  of that kind in the window, and the per-agent counts are answered from the index
  alone (no table rows read).
- (card_id, action, seq): "this card's first move", "its creation", "its latest move
  into its column" are one probe each instead of a walk through all its events.

Revision ID: 0007_insights_event_indexes
Revises: 0005_links_deps_search_webhooks
Create Date: 2026-11-26
"""
from alembic import op

revision = "0007_insights_event_indexes"
down_revision = "0006_events_webhook_delivery"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_events_board_action_created", "events",
                    ["board_id", "action", "created_at", "actor", "card_id"], unique=False)
    op.create_index("ix_events_card_action_seq", "events", ["card_id", "action", "seq"],
                    unique=False)


def downgrade():
    op.drop_index("ix_events_card_action_seq", table_name="events")
    op.drop_index("ix_events_board_action_created", table_name="events")
