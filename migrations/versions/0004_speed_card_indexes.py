"""cards: indexes for claim-next's order and the assignee filter

claim-next asks, per priority, for the oldest free card: (board_id, priority,
created_at, id) lets it walk the cards in that order and stop at the first free
one, where it sorted every workable card (50 ms a call on 10,000 cards). The same
index serves `?priority=`; (board_id, assignee) serves `?assignee=` and claim-next
for one assignee.

Revision ID: 0004_speed_card_indexes
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op

revision = "0004_speed_card_indexes"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cards_claim_order", "cards",
                    ["board_id", "priority", "created_at", "id"], unique=False)
    op.create_index("ix_cards_board_assignee", "cards", ["board_id", "assignee"], unique=False)


def downgrade():
    op.drop_index("ix_cards_board_assignee", table_name="cards")
    op.drop_index("ix_cards_claim_order", table_name="cards")
