"""Scheduled sweeps. Each takes `now`, is idempotent, and is safe to run in two
processes at once: every change is a conditional UPDATE that re-checks its reason,
in its own short transaction, and only a change that happened is logged."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from tack.models import Card
from tack.services.boards import columns_with_role
from tack.services.cards import end_of_column
from tack.services.transaction import record, session, writing


def _change_if(card_id: str, board_id: str, still_due, values: dict, action: str,
               details: str) -> bool:
    """Apply `values` to the card if `still_due` holds now; log it if it did."""
    with writing():
        result = session().execute(
            sa.update(Card).where(Card.id == card_id, still_due).values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            record(action, card_id=card_id, actor="system", details=details,
                   board_id=board_id)
        return bool(result.rowcount)


def expire_claims(now: datetime) -> int:
    """Free every claim past its expiry (event `claim_expired`)."""
    expired = session().execute(
        sa.select(Card.id, Card.board_id, Card.claimed_by)
        .where(Card.claimed_by.is_not(None), Card.claim_expires_at <= now)
    ).all()
    return sum(
        _change_if(card_id, board_id,
                   sa.and_(Card.claimed_by == holder, Card.claim_expires_at <= now),
                   {"claimed_by": None, "claimed_at": None, "claim_expires_at": None},
                   "claim_expired", f"claim by {holder} expired")
        for card_id, board_id, holder in expired
    )


def return_deferred(now: datetime) -> int:
    """Deferred cards whose time is up go back to the column awaiting a decision."""
    due = session().execute(
        sa.select(Card.id, Card.board_id, Card.column_name)
        .where(Card.defer_until.is_not(None), Card.defer_until <= now)
    ).all()
    returned = 0
    for card_id, board_id, column_name in due:
        if column_name not in {c.key for c in columns_with_role("deferred", board_id)}:
            continue
        target = columns_with_role("decision", board_id)[0].key
        returned += _change_if(
            card_id, board_id,
            sa.and_(Card.column_name == column_name, Card.defer_until <= now),
            {"column_name": target, "defer_until": None, "updated_at": now,
             "position": end_of_column(board_id, target)},
            "moved", f"{column_name} -> {target} (defer period expired)")
    return returned


def archive_done(now: datetime, archive_days: int) -> int:
    """Mark done cards untouched for `archive_days` as archived (off the board)."""
    cutoff = now - timedelta(days=archive_days)
    stale = session().execute(
        sa.select(Card.id, Card.board_id, Card.column_name)
        .where(Card.archived_at.is_(None), Card.updated_at < cutoff)
    ).all()
    archived = 0
    for card_id, board_id, column_name in stale:
        if column_name not in {c.key for c in columns_with_role("done", board_id)}:
            continue
        archived += _change_if(
            card_id, board_id,
            sa.and_(Card.column_name == column_name, Card.archived_at.is_(None),
                    Card.updated_at < cutoff),
            {"archived_at": now}, "archived", f"done for over {archive_days} days")
    return archived
