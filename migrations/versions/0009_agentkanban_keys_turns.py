"""AgentKanban: access keys with board grants, key-owned webhooks, todos, turns

A webhook's board becomes optional: an access key's hook covers every board the key
can read.

Revision ID: 0009_agentkanban_keys_turns
Revises: 0005_links_deps_search_webhooks
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_agentkanban_keys_turns"
down_revision = "0008_clawboo_workflow"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "access_keys",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lookup", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("key_encrypted", sa.Text(), nullable=False),
        sa.Column("all_boards", sa.Boolean(), nullable=False),
        sa.Column("permission", sa.String(8), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
    )
    op.create_index("ix_access_keys_lookup", "access_keys", ["lookup"])
    op.create_table(
        "access_key_boards",
        sa.Column("access_key_id", sa.String(36),
                  sa.ForeignKey("access_keys.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("board_id", sa.String(64),
                  sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("permission", sa.String(8), nullable=False),
    )
    op.create_table(
        "access_key_webhooks",
        sa.Column("webhook_id", sa.String(36),
                  sa.ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("access_key_id", sa.String(36),
                  sa.ForeignKey("access_keys.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_access_key_webhooks_access_key_id", "access_key_webhooks",
                    ["access_key_id"])
    op.create_table(
        "todos",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("card_id", sa.String(32), sa.ForeignKey("cards.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("iteration", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_todos_card_order", "todos", ["card_id", "iteration", "position"])
    op.create_table(
        "turns",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("card_id", sa.String(32), sa.ForeignKey("cards.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tool_use_only", sa.Boolean(), nullable=False),
        sa.Column("captured_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.UniqueConstraint("card_id", "source", "source_id", name="uq_turns_card_source"),
    )
    op.create_index("ix_turns_card_captured", "turns", ["card_id", "captured_at", "id"])
    with op.batch_alter_table("webhooks") as batch:
        batch.alter_column("board_id", existing_type=sa.String(64), nullable=True)


def downgrade():
    op.execute("DELETE FROM webhooks WHERE board_id IS NULL")
    with op.batch_alter_table("webhooks") as batch:
        batch.alter_column("board_id", existing_type=sa.String(64), nullable=False)
    op.drop_table("turns")
    op.drop_table("todos")
    op.drop_table("access_key_webhooks")
    op.drop_table("access_key_boards")
    op.drop_table("access_keys")
