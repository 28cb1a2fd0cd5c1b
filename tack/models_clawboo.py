"""Clawboo's own records about tasks (cards on a board of the `clawboo` workflow):
what the other surfaces have no field for, the executions ledger, and the audit log
of human overrides of the verification gate."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tack.clock import now
from tack.extensions import db
from tack.models import BIG_ID, UTCDateTime


class ClawbooTask(db.Model):
    """One row per card that Clawboo has said something about (created, claimed,
    verified, dropped...). A card without a row has every default."""

    __tablename__ = "clawboo_tasks"
    __table_args__ = (sa.Index("ix_clawboo_tasks_parent", "parent_task_id"),)

    card_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    # Clawboo's integer priority, kept exactly; the card's priority holds its Tack
    # level (see tack.services.workflows.clawboo_priority).
    priority: Mapped[int | None] = mapped_column(default=None)
    assignee_runtime: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    # unverified | passing | failing
    verdict: Mapped[str] = mapped_column(sa.String(16), default="unverified")
    verdict_detail: Mapped[str] = mapped_column(sa.Text, default="")
    parent_task_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("cards.id", ondelete="SET NULL"), default=None)
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ClawbooCommentAuthor(db.Model):
    """The Clawboo author type (agent, user, system) of a note written through it."""

    __tablename__ = "clawboo_comment_authors"

    note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True)
    author_type: Mapped[str] = mapped_column(sa.String(16))


class Execution(db.Model):
    """One run of an executor on a task: opened after a claim, closed with its outcome
    and token/cost ledger."""

    __tablename__ = "clawboo_executions"
    __table_args__ = (
        sa.Index("ix_clawboo_executions_card_created", "card_id", "created_at"),
        sa.Index("ix_clawboo_executions_status", "status"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    card_id: Mapped[str] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    executor_type: Mapped[str] = mapped_column(sa.String(100))
    # queued | running | succeeded | failed | timed_out | cancelled
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    run_reason: Mapped[str] = mapped_column(sa.Text, default="")
    before_commit: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    after_commit: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    input_tokens: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    output_tokens: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    cost_usd: Mapped[float | None] = mapped_column(sa.Float, default=None)
    summary: Mapped[str | None] = mapped_column(sa.Text, default=None)
    error: Mapped[str | None] = mapped_column(sa.Text, default=None)
    # Monotonic order within a task: createdAt alone ties under a frozen clock.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class VerificationOverride(db.Model):
    """Audit log: a human moved a task with a failing verdict to done anyway.
    Append-only; no foreign key, so the log outlives a deleted card."""

    __tablename__ = "clawboo_overrides"
    __table_args__ = (sa.Index("ix_clawboo_overrides_board_created", "board_id", "created_at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    board_id: Mapped[str] = mapped_column(sa.String(64))
    card_id: Mapped[str] = mapped_column(sa.String(32))
    task_title: Mapped[str] = mapped_column(sa.String(500), default="")
    actor: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    overridden_verdict: Mapped[str] = mapped_column(sa.String(16))
    verdict_detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Workspace(db.Model):
    """A task's git worktree: where it was branched from, where it is checked out,
    and what the board shows without running git (handoff, diff-stat, verdict).
    One per task; the branch outlives the checkout (pause, completion)."""

    __tablename__ = "clawboo_workspaces"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    card_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cards.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="code")
    repo_path: Mapped[str] = mapped_column(sa.Text)
    worktree_path: Mapped[str] = mapped_column(sa.Text)
    branch: Mapped[str] = mapped_column(sa.String(255))
    base_ref: Mapped[str] = mapped_column(sa.String(255), default="HEAD")
    base_commit: Mapped[str] = mapped_column(sa.String(64))
    # The branch tip when the checkout was last dropped (pause, completion).
    head_commit: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    # active (checked out) | paused (branch only) | completed (gate passed)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    handoff: Mapped[dict | None] = mapped_column(sa.JSON, default=None)
    diff_stat: Mapped[str] = mapped_column(sa.Text, default="")
    # The last verification gate run: {passed, results: [...]}.
    verification: Mapped[dict | None] = mapped_column(sa.JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
