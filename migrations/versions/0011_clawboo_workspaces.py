"""Clawboo workspaces: one git worktree (and its branch) per task.

Revision ID: 0011_clawboo_workspaces
Revises: 0010_insights_move_indexes
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_clawboo_workspaces"
down_revision = "0010_insights_move_indexes"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "clawboo_workspaces",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("card_id", sa.String(32), sa.ForeignKey("cards.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("repo_path", sa.Text(), nullable=False),
        sa.Column("worktree_path", sa.Text(), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("base_ref", sa.String(255), nullable=False),
        sa.Column("base_commit", sa.String(64), nullable=False),
        sa.Column("head_commit", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("handoff", sa.JSON(), nullable=True),
        sa.Column("diff_stat", sa.Text(), nullable=False),
        sa.Column("verification", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )


def downgrade():
    op.drop_table("clawboo_workspaces")
