"""The insights page's summaries of the event log, kept in the same transaction as
the events they sum (tack/services/insights_summary.py), so the page reads a few
hundred small rows instead of the log. Like the log they have no foreign keys: they
outlive deleted cards and boards, and every row can be rebuilt from the log.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tack.extensions import db
from tack.models import BIG_ID, UTCDateTime


class InsightFlow(db.Model):
    """Net change of cards in a column on a UTC day: +1 a card created in it or moved
    in, -1 a card moved out or deleted. The cumulative flow walks back from today's
    cards by these."""

    __tablename__ = "insight_flow"

    board_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    day: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # YYYY-MM-DD, UTC
    column_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    cards: Mapped[int] = mapped_column(default=0)


class InsightCard(db.Model):
    """When a card last entered its column from another one (None: never moved, so
    its creation), and when it first moved into a doing-role column (cycle time)."""

    __tablename__ = "insight_cards"

    card_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class InsightDone(db.Model):
    """One entry of a card into a done-role column from another column, with the
    times its lead and cycle time are measured from."""

    __tablename__ = "insight_done"
    __table_args__ = (sa.Index("ix_insight_done_board_at", "board_id", "done_at"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    board_id: Mapped[str] = mapped_column(sa.String(64))
    card_id: Mapped[str] = mapped_column(sa.String(32))
    actor: Mapped[str] = mapped_column(sa.String(200), default="")
    day: Mapped[str] = mapped_column(sa.String(10))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

