"""The tables: boards and their columns, cards with notes, and the event log."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tack.clock import as_utc, now
from tack.extensions import db


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC; always hands back timezone-aware datetimes, SQLite included."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else as_utc(value)

    def process_result_value(self, value, dialect):
        return as_utc(value)


# Ids and sequence numbers that only grow: 64-bit on PostgreSQL; INTEGER on SQLite,
# where only that exact type makes the column the rowid (and autoincrement works).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # tack (the eight role columns), columns (free columns), clawboo (seven statuses).
    workflow: Mapped[str] = mapped_column(sa.String(16), default="tack", server_default="tack")
    is_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    require_display_name: Mapped[bool] = mapped_column(default=False,
                                                       server_default=sa.false())
    quick_done_column_id: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    quick_done_auto_archive: Mapped[bool] = mapped_column(default=False,
                                                          server_default=sa.false())
    quick_reassign_column_id: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    quick_reassign_to: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    # sha256 of the board's kb_ manage key (random, high entropy: no salt needed).
    manage_key_hash: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now)

    columns: Mapped[list["Column"]] = relationship(
        back_populates="board", order_by="Column.position", lazy="selectin"
    )


class Column(db.Model):
    __tablename__ = "columns"
    __table_args__ = (sa.UniqueConstraint("board_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[str] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    # What the services understand: inbox, ready, doing, decision, approval,
    # deferred, done, blocked.
    role: Mapped[str] = mapped_column(sa.String(32))
    wip_limit: Mapped[int | None] = mapped_column(default=None)

    board: Mapped[Board] = relationship(back_populates="columns")


class Card(db.Model):
    __tablename__ = "cards"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["board_id", "column_key"], ["columns.board_id", "columns.key"]
        ),
        sa.Index("ix_cards_board_column_position", "board_id", "column_key", "position"),
        sa.Index("ix_cards_follows_id", "follows_id"),
        # claim-next's order within a priority, and the priority and assignee filters.
        sa.Index("ix_cards_claim_order", "board_id", "priority", "created_at", "id"),
        sa.Index("ix_cards_board_assignee", "board_id", "assignee"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    board_id: Mapped[str] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    column_key: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal")
    assignee: Mapped[str] = mapped_column(sa.String(200), default="")
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    defer_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    follows_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    # The current (latest) decision and approval, as the card object shows them.
    decision: Mapped[dict | None] = mapped_column(sa.JSON, default=None)
    approval: Mapped[dict | None] = mapped_column(sa.JSON, default=None)
    # Set by the done-archive sweep; cleared when the card leaves done.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A client's own JSON object ("metadata" is taken by SQLAlchemy's declarative base).
    card_metadata: Mapped[dict | None] = mapped_column("metadata", sa.JSON, default=None)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the card last entered a done-role column; cleared when it leaves.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    notes: Mapped[list["Note"]] = relationship(
        back_populates="card", order_by="Note.id", cascade="all, delete-orphan",
        passive_deletes=True, lazy="select",
    )


class Note(db.Model):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cards.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(sa.String(200), default="")
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Which surface wrote it (tack, kanban, web...) and the names it @mentions.
    source: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    mentions: Mapped[list | None] = mapped_column(sa.JSON, default=None)

    card: Mapped[Card] = relationship(back_populates="notes")


class Event(db.Model):
    """Append-only: never updated, never deleted. `seq` orders everything."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_board_seq", "board_id", "seq"),
        sa.Index("ix_events_card_seq", "card_id", "seq"),
        sa.Index("ix_events_created_at", "created_at"),
        sa.Index("ix_events_note_id", "note_id"),
        # Insights: one action over a window (covering the per-agent counts), and a
        # card's first or latest event of one action in one probe.
        sa.Index("ix_events_board_action_created", "board_id", "action", "created_at",
                 "actor", "card_id"),
        sa.Index("ix_events_card_action_seq", "card_id", "action", "seq"),
        # Moves with their details ("from -> to"), so the insights page reads them
        # from the index alone (migration 0010).
        sa.Index("ix_events_board_moves", "board_id", "action", "created_at", "card_id",
                 "actor", "seq", "details", sqlite_where=sa.text("action = 'moved'"),
                 postgresql_where=sa.text("action = 'moved'")),
        sa.Index("ix_events_card_moves", "card_id", "action", "seq", "created_at", "details",
                 sqlite_where=sa.text("action = 'moved'"),
                 postgresql_where=sa.text("action = 'moved'")),
        {"sqlite_autoincrement": True},
    )

    # 64-bit on PostgreSQL; on SQLite an INTEGER primary key is the 64-bit rowid.
    seq: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    board_id: Mapped[str] = mapped_column(sa.String(64))
    # No foreign key: the log outlives deleted cards.
    card_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    action: Mapped[str] = mapped_column(sa.String(64))
    actor: Mapped[str] = mapped_column(sa.String(200), default="")
    details: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The note a note_added event wrote (comments read their text and mentions here).
    note_id: Mapped[int | None] = mapped_column(default=None)


# --- Dependencies, webhooks (issue 8) ---------------------------------------------


class Dependency(db.Model):
    """`blocker_id` must be finished (in a done-role column) before `blocked_id` may
    be handed out by claim-next. Both cards are on `board_id`."""

    __tablename__ = "dependencies"
    __table_args__ = (
        sa.UniqueConstraint("blocker_id", "blocked_id"),
        sa.Index("ix_dependencies_blocked_id", "blocked_id"),
        sa.Index("ix_dependencies_board_id", "board_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    board_id: Mapped[str] = mapped_column(sa.ForeignKey("boards.id", ondelete="CASCADE"))
    blocker_id: Mapped[str] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    blocked_id: Mapped[str] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Webhook(db.Model):
    """A board's outbound hook. The signing secret is kept encrypted with a key
    derived from the server's secret (it must be readable again to sign)."""

    __tablename__ = "webhooks"
    __table_args__ = (sa.Index("ix_webhooks_board_id", "board_id"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    # None: an access key's hook, for every board that key can read (AgentKanban).
    board_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=True)
    url: Mapped[str] = mapped_column(sa.String(2048))
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    # Event types delivered; empty means every type.
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    failure_count: Mapped[int] = mapped_column(default=0)
    last_triggered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The delivery job's cursor: the newest event seq handed to this hook.
    last_delivered_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Which process is delivering (a lease, so two never post the same batch at once)
    # and until when; and when the next try is due after a failure (backoff).
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class WebhookDelivery(db.Model):
    """One delivery attempt, as the delivery job logs it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_webhook_created", "webhook_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(
        sa.ForeignKey("webhooks.id", ondelete="CASCADE"))
    # Sent as a header; the same for every retry of one event to one hook.
    delivery_id: Mapped[str] = mapped_column(sa.String(36))
    event_seq: Mapped[int] = mapped_column(sa.BigInteger)
    event_type: Mapped[str] = mapped_column(sa.String(64))
    attempt: Mapped[int] = mapped_column(default=1)
    # succeeded | failed
    status: Mapped[str] = mapped_column(sa.String(16))
    response_code: Mapped[int | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


# Clawboo's tables live in their own module (issue 11); imported so every model is
# known wherever tack.models is.
from tack import models_clawboo  # noqa: E402,F401
from tack import models_insights  # noqa: E402,F401
from tack.models_agentkanban import (  # noqa: E402,F401 (registers the tables)
    AccessKey, AccessKeyBoard, AccessKeyWebhook, Todo, Turn)
