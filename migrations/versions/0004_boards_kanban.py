"""Boards first-class (description, workflow, public, archive, display-name rule,
quick actions, manage key); card metadata, due and completed times; comment source
and mentions; the note an event wrote.

Revision ID: 0004_boards_kanban
Revises: 0003
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_boards_kanban"
down_revision = "0004_speed_card_indexes"
branch_labels = None
depends_on = None

BOARD_COLUMNS = (
    ("description", sa.Text(), dict(nullable=False, server_default="")),
    ("workflow", sa.String(16), dict(nullable=False, server_default="tack")),
    ("is_public", sa.Boolean(), dict(nullable=False, server_default=sa.false())),
    ("archived_at", sa.DateTime(timezone=True), dict(nullable=True)),
    ("require_display_name", sa.Boolean(), dict(nullable=False, server_default=sa.false())),
    ("quick_done_column_id", sa.String(64), dict(nullable=True)),
    ("quick_done_auto_archive", sa.Boolean(),
     dict(nullable=False, server_default=sa.false())),
    ("quick_reassign_column_id", sa.String(64), dict(nullable=True)),
    ("quick_reassign_to", sa.String(200), dict(nullable=True)),
    ("manage_key_hash", sa.String(64), dict(nullable=True)),
    ("updated_at", sa.DateTime(timezone=True), dict(nullable=True)),
)
CARD_COLUMNS = (
    ("metadata", sa.JSON(), dict(nullable=True)),
    ("due_at", sa.DateTime(timezone=True), dict(nullable=True)),
    ("completed_at", sa.DateTime(timezone=True), dict(nullable=True)),
)
NOTE_COLUMNS = (
    ("source", sa.String(32), dict(nullable=False, server_default="")),
    ("mentions", sa.JSON(), dict(nullable=True)),
)
EVENT_COLUMNS = (("note_id", sa.Integer(), dict(nullable=True)),)
TABLES = (("boards", BOARD_COLUMNS), ("cards", CARD_COLUMNS), ("notes", NOTE_COLUMNS),
          ("events", EVENT_COLUMNS))


# Plain ADD/DROP COLUMN, never batch mode: on SQLite batch mode copies and drops the
# table, and dropping `boards` with foreign keys on would cascade-delete every card.
def upgrade():
    for table, columns in TABLES:
        for name, type_, options in columns:
            op.add_column(table, sa.Column(name, type_, **options))
    # Cards already in a done column were completed when they last moved there.
    op.execute(
        "UPDATE cards SET completed_at = updated_at WHERE EXISTS (SELECT 1 FROM columns "
        "WHERE columns.board_id = cards.board_id AND columns.key = cards.column_name "
        "AND columns.role = 'done')")
    op.execute("UPDATE boards SET updated_at = created_at")
    op.create_index("ix_events_note_id", "events", ["note_id"])


def downgrade():
    op.drop_index("ix_events_note_id", table_name="events")
    for table, columns in reversed(TABLES):
        for name, _type, _options in reversed(columns):
            op.execute(f'ALTER TABLE {table} DROP COLUMN "{name}"')
