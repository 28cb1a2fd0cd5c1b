"""Scheduled sweeps. Each takes `now` and the settings, is idempotent, and is safe to
run in two processes at once: every change happens in its own short write
transaction that re-checks its reason there, and only a change that happened is
logged. SWEEPS names them all; tack/jobs.py runs each on its own."""
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from tack.config import Config
from tack.errors import TackError
from tack.models import Card
from tack.services.boards import column_with_role, columns_with_role
from tack.services.cards import lock_column, past_archive_cutoff, place_card
from tack.services.claims import claim_is_free
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
        .where(Card.claimed_by.is_not(None), claim_is_free(now))
    ).all()
    return sum(
        _change_if(card_id, board_id, sa.and_(Card.claimed_by == holder, claim_is_free(now)),
                   {"claimed_by": None, "claimed_at": None, "claim_expires_at": None},
                   "claim_expired", f"claim by {holder} expired")
        for card_id, board_id, holder in expired
    )


def return_deferred(now: datetime) -> int:
    """Deferred cards whose time is up go back to the column awaiting a decision,
    each as an ordinary move (WIP limit, position, event). A card the full column
    refuses stays deferred and is tried again next pass."""
    due = session().execute(
        sa.select(Card.id, Card.board_id)
        .where(Card.defer_until.is_not(None), Card.defer_until <= now)
    ).all()
    returned = 0
    for card_id, board_id in due:
        try:
            returned += _return_if_still_due(card_id, board_id, now)
        except TackError:
            continue
    return returned


def _return_if_still_due(card_id: str, board_id: str, now: datetime) -> bool:
    with writing():
        target = column_with_role("decision", board_id)
        # Column first, then the card, in the order every move takes them (no
        # deadlock with a person moving the same card). Re-read under the lock: a
        # second process waits here, then finds the card returned and does nothing.
        lock_column(target)
        card = session().get(Card, card_id, with_for_update=True)
        if card is None or card.defer_until is None or card.defer_until > now:
            return False
        deferred = {c.key for c in columns_with_role("deferred", card.board_id)}
        if card.column_key not in deferred:
            return False
        place_card(card, target.key, None, "system", now, " (defer period expired)")
        return True


def archive_done(now: datetime, archive_days: int) -> int:
    """Mark done cards past the archive cut-off as archived (off the board)."""
    stale = session().execute(
        sa.select(Card.id, Card.board_id, Card.column_key)
        .where(Card.archived_at.is_(None), past_archive_cutoff(now, archive_days))
    ).all()
    archived = 0
    for card_id, board_id, column_name in stale:
        if column_name not in {c.key for c in columns_with_role("done", board_id)}:
            continue
        archived += _change_if(
            card_id, board_id,
            sa.and_(Card.column_key == column_name, Card.archived_at.is_(None),
                    past_archive_cutoff(now, archive_days)),
            {"archived_at": now}, "archived", f"done for over {archive_days} days")
    return archived


# name -> sweep(now, settings) -> how many cards it changed
SWEEPS: dict[str, Callable[[datetime, Config], int]] = {
    "claims expired": lambda now, config: expire_claims(now),
    "deferred returned": lambda now, config: return_deferred(now),
    "done archived": lambda now, config: archive_done(now, config.done_archive_days),
    "orphaned Clawboo runs released": lambda now, config: _clawboo_orphans(now, config),
}


def _clawboo_orphans(now: datetime, config: Config) -> int:
    # Imported here: the workflows service imports the card services this one does.
    from tack.services.workflows import reconcile_orphans
    return reconcile_orphans(now, config.clawboo_orphan_ttl_minutes)
