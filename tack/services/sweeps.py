"""Scheduled sweeps. Each takes `now`, is idempotent, and is safe to run in two
processes at once: every change is a conditional UPDATE that re-checks its reason."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from tack.extensions import db
from tack.models import Card
from tack.services.boards import columns_with_role
from tack.services.cards import end_of_column
from tack.services.transaction import record, writing


def expire_claims(now: datetime) -> int:
    """Free every claim past its expiry (event `claim_expired`)."""
    expired = db.session.execute(
        sa.select(Card.id, Card.board_id, Card.claimed_by)
        .where(Card.claimed_by.is_not(None), Card.claim_expires_at <= now)
    ).all()
    freed = 0
    for card_id, board_id, holder in expired:
        with writing():
            result = db.session.execute(
                sa.update(Card)
                .where(Card.id == card_id, Card.claimed_by == holder,
                       Card.claim_expires_at <= now)
                .values(claimed_by=None, claimed_at=None, claim_expires_at=None)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:
                freed += 1
                record("claim_expired", card_id=card_id, actor="system",
                       details=f"claim by {holder} expired", board_id=board_id)
    return freed


def return_deferred(now: datetime) -> int:
    """Deferred cards whose time is up go back to the column awaiting a decision."""
    returned = 0
    due = db.session.execute(
        sa.select(Card.id, Card.board_id, Card.column_name)
        .where(Card.defer_until.is_not(None), Card.defer_until <= now)
    ).all()
    for card_id, board_id, column_name in due:
        deferred = {c.key for c in columns_with_role("deferred", board_id)}
        if column_name not in deferred:
            continue
        target = columns_with_role("decision", board_id)[0].key
        with writing():
            result = db.session.execute(
                sa.update(Card)
                .where(Card.id == card_id, Card.column_name == column_name,
                       Card.defer_until <= now)
                .values(column_name=target, defer_until=None, updated_at=now,
                        position=end_of_column(board_id, target))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:
                returned += 1
                record("moved", card_id=card_id, actor="system",
                       details=f"{column_name} -> {target} (defer period expired)",
                       board_id=board_id)
    return returned


def archive_done(now: datetime, archive_days: int) -> int:
    """Mark done cards untouched for `archive_days` as archived (off the board)."""
    cutoff = now - timedelta(days=archive_days)
    archived = 0
    stale = db.session.execute(
        sa.select(Card.id, Card.board_id, Card.column_name)
        .where(Card.archived_at.is_(None), Card.updated_at < cutoff)
    ).all()
    for card_id, board_id, column_name in stale:
        if column_name not in {c.key for c in columns_with_role("done", board_id)}:
            continue
        with writing():
            result = db.session.execute(
                sa.update(Card)
                .where(Card.id == card_id, Card.column_name == column_name,
                       Card.archived_at.is_(None), Card.updated_at < cutoff)
                .values(archived_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:
                archived += 1
                record("archived", card_id=card_id, actor="system",
                       details=f"done for over {archive_days} days", board_id=board_id)
    return archived

