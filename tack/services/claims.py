"""Claims: who holds a card, until when. Each claim is one conditional UPDATE whose
row count says who won, so no two agents ever hold the same card."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from tack.clock import isoformat, now
from tack.errors import Conflict, Forbidden
from tack.extensions import db
from tack.models import Card
from tack.services.boards import DEFAULT_BOARD, column_named, columns
from tack.services.cards import get_card, has_tag, priority_rank_sql
from tack.services.transaction import record, write_transaction
from tack.services.views import claim_is_active

# Roles whose cards are work waiting for an agent: claim-next's default pool.
WORKABLE_ROLES = ("inbox", "ready", "doing")
CLAIM_NEXT_ATTEMPTS = 50


def _is_free(agent: str | None, at: datetime):
    """The claim condition: unclaimed, expired, or (for renewal) held by `agent`."""
    free = sa.or_(Card.claimed_by.is_(None), Card.claim_expires_at <= at)
    return sa.or_(free, Card.claimed_by == agent) if agent else free


def _take(card_id: str, agent: str, ttl_seconds: int, at: datetime, renew: bool) -> bool:
    renewing = sa.and_(Card.claimed_by == agent, Card.claim_expires_at > at)
    result = db.session.execute(
        sa.update(Card)
        .where(Card.id == card_id, _is_free(agent if renew else None, at))
        .values(
            claimed_by=agent,
            claimed_at=sa.case((renewing, Card.claimed_at), else_=at),
            claim_expires_at=at + timedelta(seconds=ttl_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _already_claimed(card: Card) -> Conflict:
    return Conflict(
        {
            "error": "Card already claimed",
            "claimed_by": card.claimed_by,
            "expires_at": isoformat(card.claim_expires_at),
            "hint": "Wait for the claim to expire or be released, or claim another "
                    "card (POST /api/cards/claim-next).",
        },
        "ALREADY_CLAIMED",
    )


@write_transaction
def claim_card(*, card_id: str, agent: str, ttl_seconds: int = 300) -> Card:
    """Claim `card_id` for `agent`; the holder may claim again to renew."""
    at = now()
    card = get_card(card_id)
    renewal = claim_is_active(card, at) and card.claimed_by == agent
    if not _take(card_id, agent, ttl_seconds, at, renew=True):
        db.session.refresh(card)
        raise _already_claimed(card)
    db.session.refresh(card)
    record("claimed", card_id=card_id, actor=agent,
           details=("renewed" if renewal else "claimed") + f" for {ttl_seconds}s",
           board_id=card.board_id)
    return card


@write_transaction
def claim_next(*, agent: str, ttl_seconds: int = 300, column_name: str | None = None,
               assignee: str | None = None, tag: str | None = None,
               board_id: str = DEFAULT_BOARD) -> Card | None:
    """Claim the highest-priority, oldest free card that matches; None when none is."""
    at = now()
    if column_name:
        pool = [column_named(column_name, board_id).key]
    else:
        pool = [c.key for c in columns(board_id) if c.role in WORKABLE_ROLES]
    query = sa.select(Card.id).where(
        Card.board_id == board_id, Card.column_name.in_(pool), _is_free(None, at)
    )
    if assignee:
        query = query.where(Card.assignee == assignee)
    if tag:
        query = query.where(has_tag(tag))
    query = query.order_by(priority_rank_sql().desc(), Card.created_at, Card.id).limit(1)
    # PostgreSQL: skip rows another claimer has locked instead of queueing behind
    # them. The conditional UPDATE still decides; a lost race just tries the next.
    query = query.with_for_update(skip_locked=True, of=Card)
    for _ in range(CLAIM_NEXT_ATTEMPTS):
        card_id = db.session.scalar(query)
        if card_id is None:
            return None
        if _take(card_id, agent, ttl_seconds, at, renew=False):
            card = get_card(card_id)
            db.session.refresh(card)
            record("claimed", card_id=card_id, actor=agent,
                   details=f"claimed for {ttl_seconds}s (claim-next)", board_id=board_id)
            return card
    raise Conflict("Every matching card was claimed by others first; try again",
                   "CLAIM_NEXT_CONTENDED")


@write_transaction
def release_card(*, card_id: str, agent: str | None = None) -> Card:
    """Free the card. With `agent`, only its holder may release it."""
    at = now()
    card = get_card(card_id)
    condition = Card.id == card_id
    if agent:
        condition = sa.and_(condition, _is_free(agent, at))
    result = db.session.execute(
        sa.update(Card).where(condition)
        .values(claimed_by=None, claimed_at=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(card)
    if result.rowcount != 1:
        raise Forbidden(
            f"Card is claimed by '{card.claimed_by}', not '{agent}'; only the holder "
            "may release it", "NOT_CLAIM_HOLDER",
        )
    record("released", card_id=card_id, actor=agent or "", details="", board_id=card.board_id)
    return card

