"""Tables the AgentKanban surface brought: access keys and their board grants, a
card's todo checklist, and the conversation turns IDE extensions capture."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tack.clock import now
from tack.extensions import db
from tack.models import BIG_ID, UTCDateTime


class AccessKey(db.Model):
    """An `ak_...` key. Revealable, so kept encrypted with the server's secret; found
    by its lookup prefix and checked against its sha256 (no decryption per request)."""

    __tablename__ = "access_keys"
    __table_args__ = (sa.Index("ix_access_keys_lookup", "lookup"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The key's first characters: which row to compare with (not secret on its own).
    lookup: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    key_encrypted: Mapped[str] = mapped_column(sa.Text)
    # all_boards keys carry their permission here; others per board (AccessKeyBoard).
    all_boards: Mapped[bool] = mapped_column(default=False)
    permission: Mapped[str] = mapped_column(sa.String(8), default="read")
    created_by: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class AccessKeyBoard(db.Model):
    """A key's grant on one board: read or edit."""

    __tablename__ = "access_key_boards"

    access_key_id: Mapped[str] = mapped_column(
        sa.ForeignKey("access_keys.id", ondelete="CASCADE"), primary_key=True)
    board_id: Mapped[str] = mapped_column(
        sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(sa.String(8))


class AccessKeyWebhook(db.Model):
    """Which key registered a webhook (the AgentKanban surface lists hooks per key)."""

    __tablename__ = "access_key_webhooks"

    webhook_id: Mapped[str] = mapped_column(
        sa.ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True)
    access_key_id: Mapped[str] = mapped_column(
        sa.ForeignKey("access_keys.id", ondelete="CASCADE"), index=True)


class Todo(db.Model):
    """One item of a card's checklist; ordered by iteration, then `position`."""

    __tablename__ = "todos"
    __table_args__ = (sa.Index("ix_todos_card_order", "card_id", "iteration", "position"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    card_id: Mapped[str] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text)
    done: Mapped[bool] = mapped_column(default=False)
    iteration: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    # api | agent | user: who wrote it.
    source: Mapped[str] = mapped_column(sa.String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Turn(db.Model):
    """A captured conversation turn. (card, source, source_id) is unique: posting the
    same turn again inserts nothing."""

    __tablename__ = "turns"
    __table_args__ = (
        sa.UniqueConstraint("card_id", "source", "source_id", name="uq_turns_card_source"),
        sa.Index("ix_turns_card_captured", "card_id", "captured_at", "id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(sa.String(64))
    source_id: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(32))
    content: Mapped[str] = mapped_column(sa.Text, default="")
    tool_use_only: Mapped[bool] = mapped_column(default=False)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
