"""Cards name the column they sit in by its key: `cards.column_name` becomes `column_key`.

Revision ID: 0012_cards_column_key
Revises: 0011_clawboo_workspaces
Create Date: 2026-11-26
"""
from alembic import op

revision = "0012_cards_column_key"
down_revision = "0011_clawboo_workspaces"
branch_labels = None
depends_on = None


# A plain RENAME COLUMN (SQLite 3.25+, PostgreSQL): the index and the foreign key to
# columns(board_id, key) follow the column, and the card rows stay where they are.
def upgrade():
    op.execute("ALTER TABLE cards RENAME COLUMN column_name TO column_key")


def downgrade():
    op.execute("ALTER TABLE cards RENAME COLUMN column_key TO column_name")
