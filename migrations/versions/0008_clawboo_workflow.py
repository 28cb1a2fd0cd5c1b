"""Clawboo workflow: per-task Clawboo fields, comment author types, the executions
ledger and the audit log of verification overrides.

Revision ID: 0008_clawboo_workflow
Revises: 0005_links_deps_search_webhooks
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_clawboo_workflow"
down_revision = "0007_insights_event_indexes"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "clawboo_tasks",
        sa.Column("card_id", sa.String(32), sa.ForeignKey("cards.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("assignee_runtime", sa.String(100), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("verdict_detail", sa.Text(), nullable=False),
        sa.Column("parent_task_id", sa.String(32),
                  sa.ForeignKey("cards.id", ondelete="SET NULL"), nullable=True),
        sa.Column("dropped_at", UTC, nullable=True),
    )
    op.create_index("ix_clawboo_tasks_parent", "clawboo_tasks", ["parent_task_id"])
    op.create_table(
        "clawboo_comment_authors",
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("notes.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("author_type", sa.String(16), nullable=False),
    )
    op.create_table(
        "clawboo_executions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("card_id", sa.String(32), sa.ForeignKey("cards.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("executor_type", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_reason", sa.Text(), nullable=False),
        sa.Column("before_commit", sa.String(100), nullable=True),
        sa.Column("after_commit", sa.String(100), nullable=True),
        sa.Column("input_tokens", sa.BigInteger(), nullable=True),
        sa.Column("output_tokens", sa.BigInteger(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
    )
    op.create_index("ix_clawboo_executions_card_created", "clawboo_executions",
                    ["card_id", "created_at"])
    op.create_index("ix_clawboo_executions_status", "clawboo_executions", ["status"])
    op.create_table(
        "clawboo_overrides",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("board_id", sa.String(64), nullable=False),
        sa.Column("card_id", sa.String(32), nullable=False),
        sa.Column("task_title", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("overridden_verdict", sa.String(16), nullable=False),
        sa.Column("verdict_detail", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_clawboo_overrides_board_created", "clawboo_overrides",
                    ["board_id", "created_at"])


def downgrade():
    op.drop_table("clawboo_overrides")
    op.drop_table("clawboo_executions")
    op.drop_table("clawboo_comment_authors")
    op.drop_table("clawboo_tasks")
