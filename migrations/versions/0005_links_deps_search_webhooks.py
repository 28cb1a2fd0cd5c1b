"""dependencies, webhooks and their delivery log; full-text search over cards

Search is kept in step by the database itself, so every write path (services, raw
SQL, a future surface) keeps it current:
- SQLite: an FTS5 table `card_search` filled by triggers on `cards`. Its rowids come
  from `card_search_rows` (INTEGER PRIMARY KEY, so VACUUM cannot renumber them, as it
  may renumber the implicit rowid of `cards`, whose key is a string). The FTS table
  is contentless: the triggers hand it the old values to delete.
- PostgreSQL: a GIN index on the weighted tsvector expression that
  tack.services.search queries with (the two texts must stay identical).
Existing cards are indexed here (SQLite backfill; PostgreSQL builds the index).

NOTE for later migrations: rebuilding `cards` on SQLite (batch_alter_table "move and
copy") drops its triggers; re-create them with create_sqlite_search() afterwards.

Revision ID: 0005_links_deps_search_webhooks
Revises: 0003
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_links_deps_search_webhooks"
down_revision = "0004_boards_kanban"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def _tags_text(row: str) -> str:
    # The tag list as words ('["a","b"]' -> 'a b'); json_each decodes \u escapes.
    return (f"CASE WHEN json_valid({row}.tags) THEN (SELECT group_concat(value, ' ') "
            f"FROM json_each({row}.tags)) ELSE {row}.tags END")


def _row_of(row: str) -> str:
    return f"(SELECT id FROM card_search_rows WHERE card_id = {row}.id)"


SQLITE_SEARCH = [
    "CREATE TABLE card_search_rows (id INTEGER PRIMARY KEY, "
    "card_id VARCHAR(32) NOT NULL UNIQUE)",
    # unicode61 without diacritic folding: PostgreSQL's 'simple' config matches it.
    "CREATE VIRTUAL TABLE card_search USING fts5(title, tags, description, "
    "content='', tokenize='unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER card_search_insert AFTER INSERT ON cards BEGIN
        INSERT INTO card_search_rows (card_id) VALUES (new.id);
        INSERT INTO card_search (rowid, title, tags, description)
        VALUES ({_row_of('new')}, new.title, {_tags_text('new')}, new.description);
    END""",
    f"""CREATE TRIGGER card_search_update AFTER UPDATE OF title, tags, description
        ON cards BEGIN
        INSERT INTO card_search (card_search, rowid, title, tags, description)
        VALUES ('delete', {_row_of('old')}, old.title, {_tags_text('old')},
                old.description);
        INSERT INTO card_search (rowid, title, tags, description)
        VALUES ({_row_of('new')}, new.title, {_tags_text('new')}, new.description);
    END""",
    f"""CREATE TRIGGER card_search_delete AFTER DELETE ON cards BEGIN
        INSERT INTO card_search (card_search, rowid, title, tags, description)
        VALUES ('delete', {_row_of('old')}, old.title, {_tags_text('old')},
                old.description);
        DELETE FROM card_search_rows WHERE card_id = old.id;
    END""",
]
SQLITE_BACKFILL = [
    "INSERT INTO card_search_rows (card_id) SELECT id FROM cards ORDER BY created_at, id",
    "INSERT INTO card_search (rowid, title, tags, description) "
    f"SELECT r.id, cards.title, {_tags_text('cards')}, cards.description "
    "FROM cards JOIN card_search_rows r ON r.card_id = cards.id",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS card_search_insert",
    "DROP TRIGGER IF EXISTS card_search_update",
    "DROP TRIGGER IF EXISTS card_search_delete",
    "DROP TABLE IF EXISTS card_search",
    "DROP TABLE IF EXISTS card_search_rows",
]

# Identical to tack.services.search.POSTGRES_DOCUMENT (the planner matches the text).
POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce((tags::jsonb)::text, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')"
)


def create_sqlite_search() -> None:
    for statement in SQLITE_SEARCH_DROP + SQLITE_SEARCH + SQLITE_BACKFILL:
        op.execute(statement)


def upgrade():
    op.create_table(
        "dependencies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("board_id", sa.String(64),
                  sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("blocker_id", sa.String(32),
                  sa.ForeignKey("cards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("blocked_id", sa.String(32),
                  sa.ForeignKey("cards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.UniqueConstraint("blocker_id", "blocked_id"),
    )
    op.create_index("ix_dependencies_blocked_id", "dependencies", ["blocked_id"])
    op.create_index("ix_dependencies_board_id", "dependencies", ["board_id"])

    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("board_id", sa.String(64),
                  sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("last_triggered_at", UTC, nullable=True),
        sa.Column("last_delivered_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_webhooks_board_id", "webhooks", ["board_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(36),
                  sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_webhook_deliveries_webhook_created", "webhook_deliveries",
                    ["webhook_id", "created_at"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX card_search_gin ON cards USING gin (({POSTGRES_DOCUMENT}))")
    else:
        create_sqlite_search()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS card_search_gin")
    else:
        for statement in SQLITE_SEARCH_DROP:
            op.execute(statement)
    op.drop_index("ix_webhook_deliveries_webhook_created", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_board_id", table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_index("ix_dependencies_board_id", table_name="dependencies")
    op.drop_index("ix_dependencies_blocked_id", table_name="dependencies")
    op.drop_table("dependencies")
