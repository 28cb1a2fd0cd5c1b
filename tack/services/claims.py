"""Claims: who holds a card, until when. Each claim is one conditional UPDATE whose
row count says who won, so no two agents ever hold the same card.

The statements are built once with bind parameters: claims and releases are what
agents do most, and building a statement costs more than running it."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from tack.clock import isoformat, now
from tack.errors import Conflict, Forbidden, NotFound
from tack.models import Card, Column, UTCDateTime
from tack.services.boards import DEFAULT_BOARD, column_named, column_rows
from tack.services.cards import PRIORITIES, has_tag, read_card
from tack.services.dependencies import has_unfinished_blocker
from tack.services.reading import fetch_scalars
from tack.services.transaction import connection, record, write_transaction

# Roles whose cards are work waiting for an agent: claim-next's default pool.
WORKABLE_ROLES = ("inbox", "ready", "doing")
CLAIM_NEXT_ATTEMPTS = 50

CARDS = Card.__table__
_at = sa.bindparam("at", type_=UTCDateTime())
_agent = sa.bindparam("agent", type_=sa.String())


# Who holds a card, written once: a holder whose claim has not expired yet. A claim
# at or past its expiry is free to take and reads as unclaimed. claim_is_active is
# the rule on a loaded card, claim_is_free the same rule as SQL (its negation).
def claim_is_active(card, at: datetime) -> bool:
    return (card.claimed_by is not None and card.claim_expires_at is not None
            and card.claim_expires_at > at)


def claim_is_free(at) -> sa.ColumnElement[bool]:
    return sa.or_(CARDS.c.claimed_by.is_(None), CARDS.c.claim_expires_at.is_(None),
                  CARDS.c.claim_expires_at <= at)


_FREE = claim_is_free(_at)
_HELD_BY_AGENT = sa.and_(CARDS.c.claimed_by == _agent, CARDS.c.claim_expires_at > _at)


def _claim_statement(condition):
    return (
        sa.update(CARDS)
        .where(CARDS.c.id == sa.bindparam("card_id"), condition)
        .values(
            claimed_by=_agent,
            # A renewal keeps the original claim time.
            claimed_at=sa.case((_HELD_BY_AGENT, CARDS.c.claimed_at), else_=_at),
            claim_expires_at=sa.bindparam("expires", type_=UTCDateTime()),
        )
        .returning(CARDS.c.board_id, CARDS.c.claimed_by, CARDS.c.claimed_at,
                   CARDS.c.claim_expires_at)
    )


# Claim or renew: free, expired, or already ours.
CLAIM = _claim_statement(sa.or_(_FREE, CARDS.c.claimed_by == _agent))
# claim-next takes only cards nobody holds.
CLAIM_FREE = _claim_statement(_FREE)
RELEASE_ANY = (
    sa.update(CARDS).where(CARDS.c.id == sa.bindparam("card_id"))
    .values(claimed_by=None, claimed_at=None, claim_expires_at=None)
    .returning(CARDS.c.board_id)
)
RELEASE_AS_HOLDER = (
    sa.update(CARDS)
    .where(CARDS.c.id == sa.bindparam("card_id"),
           sa.or_(_FREE, CARDS.c.claimed_by == _agent))
    .values(claimed_by=None, claimed_at=None, claim_expires_at=None)
    .returning(CARDS.c.board_id)
)


def _already_claimed(card) -> Conflict:
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


def _run(statement, **params):
    return connection().execute(statement, params).first()


@write_transaction
def claim_card(*, card_id: str, agent: str, ttl_seconds: int = 300,
               statement: sa.Update = CLAIM, **narrowed) -> sa.Row:
    """Claim `card_id` for `agent`; the holder may claim again to renew. Returns the
    claim (board_id, claimed_by, claimed_at, claim_expires_at). A caller may pass
    CLAIM with more conditions (their values in `narrowed`) and more to return; a
    card those conditions leave out fails as taken, so that caller checks them
    when the claim fails."""
    at = now()
    claim = _run(statement, card_id=card_id, agent=agent, at=at,
                 expires=at + timedelta(seconds=ttl_seconds), **narrowed)
    if claim is None:
        raise _already_claimed(_current(card_id))
    renewal = claim.claimed_at != at
    record("claimed", card_id=card_id, actor=agent,
           details=("renewed" if renewal else "claimed") + f" for {ttl_seconds}s",
           board_id=claim.board_id)
    return claim


def _current(card_id: str):
    """The card as it stands in this transaction (404 when it does not exist)."""
    row = connection().execute(
        sa.select(CARDS.c.claimed_by, CARDS.c.claim_expires_at)
        .where(CARDS.c.id == card_id)).first()
    if row is None:
        raise NotFound("Card not found", "CARD_NOT_FOUND")
    return row


def claim_next(*, agent: str, ttl_seconds: int = 300, column_name: str | None = None,
               assignee: str | None = None, tag: str | None = None,
               board_id: str = DEFAULT_BOARD) -> str | None:
    """Claim the highest-priority, oldest free card that matches; its id, or None when
    none is. The pool of columns is resolved before the write begins, so the writer
    lock is held only for the search and the claim."""
    if column_name:
        pool = [column_named(column_name, board_id, column_rows(board_id)).key]
    else:
        pool = list(fetch_scalars(WORKABLE_COLUMNS, board_id=board_id))
    return _claim_next_in(agent=agent, ttl_seconds=ttl_seconds, pool=pool,
                          assignee=assignee, tag=tag, board_id=board_id)


COLUMNS = Column.__table__
WORKABLE_COLUMNS = sa.select(COLUMNS.c.key).where(
    COLUMNS.c.board_id == sa.bindparam("board_id"), COLUMNS.c.role.in_(WORKABLE_ROLES))


def _next_free_query(priority: str, assignee: bool, tag: str | None):
    query = sa.select(CARDS.c.id).where(
        CARDS.c.board_id == sa.bindparam("board_id"), CARDS.c.priority == priority,
        CARDS.c.column_key.in_(sa.bindparam("pool", expanding=True)), _FREE,
        sa.not_(has_unfinished_blocker(CARDS.c.id)),
    )
    if assignee:
        query = query.where(CARDS.c.assignee == sa.bindparam("assignee"))
    if tag:
        query = query.where(has_tag(tag))
    # PostgreSQL: skip rows another claimer has locked instead of queueing behind
    # them. The conditional UPDATE still decides; a lost race just tries the next.
    return (query.order_by(CARDS.c.created_at, CARDS.c.id).limit(1)
            .with_for_update(skip_locked=True, of=CARDS))


# One query per priority, most urgent first, each for the oldest free match: each
# walks ix_cards_claim_order in order and stops at the first match, where one query
# ordered by a priority rank sorts every candidate. Built once (a tag filter is built
# per call: its clause depends on the tag).
NEXT_FREE = {assignee: [_next_free_query(p, assignee, None) for p in reversed(PRIORITIES)]
             for assignee in (False, True)}


@write_transaction
def _claim_next_in(*, agent: str, ttl_seconds: int, pool: list[str], assignee: str | None,
                   tag: str | None, board_id: str) -> str | None:
    at = now()
    if tag:
        queries = [_next_free_query(p, bool(assignee), tag) for p in reversed(PRIORITIES)]
    else:
        queries = NEXT_FREE[bool(assignee)]
    params = {"board_id": board_id, "pool": pool, "at": at, "assignee": assignee}
    for _ in range(CLAIM_NEXT_ATTEMPTS):
        card_id = next(filter(None, (connection().execute(query, params).scalar()
                                     for query in queries)), None)
        if card_id is None:
            return None
        if _run(CLAIM_FREE, card_id=card_id, agent=agent, at=at,
                expires=at + timedelta(seconds=ttl_seconds)):
            record("claimed", card_id=card_id, actor=agent,
                   details=f"claimed for {ttl_seconds}s (claim-next)", board_id=board_id)
            return card_id
    raise Conflict("Every matching card was claimed by others first; try again",
                   "CLAIM_NEXT_CONTENDED")


def claim_next_card(**kwargs) -> sa.Row | None:
    """claim_next, then the claimed card as readers see it."""
    card_id = claim_next(**kwargs)
    return None if card_id is None else read_card(card_id)


@write_transaction
def release_card(*, card_id: str, agent: str | None = None) -> None:
    """Free the card. With `agent`, only its holder may release it."""
    at = now()
    if agent:
        released = _run(RELEASE_AS_HOLDER, card_id=card_id, agent=agent, at=at)
    else:
        released = _run(RELEASE_ANY, card_id=card_id)
    if released is None:
        holder = _current(card_id).claimed_by
        raise Forbidden(
            f"Card is claimed by '{holder}', not '{agent}'; only the holder may release it",
            "NOT_CLAIM_HOLDER",
        )
    record("released", card_id=card_id, actor=agent or "", details="",
           board_id=released.board_id)
