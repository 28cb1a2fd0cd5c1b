"""Reading the event log: activity, changes by time, and changes by cursor."""
from datetime import datetime

import sqlalchemy as sa

from tack.models import Card, Event
from tack.services.boards import DEFAULT_BOARD
from tack.services.reading import fetch, fetch_value

CARDS = Card.__table__
EVENTS = Event.__table__
LAST_SEQ = sa.select(sa.func.max(EVENTS.c.seq)).where(EVENTS.c.board_id == sa.bindparam("board_id"))
EVENTS_AFTER = (
    sa.select(EVENTS)
    .where(EVENTS.c.board_id == sa.bindparam("board_id"), EVENTS.c.seq > sa.bindparam("after"))
    .order_by(EVENTS.c.seq).limit(sa.bindparam("limit"))
)


def last_seq(board_id: str = DEFAULT_BOARD) -> int:
    """The newest event's seq (0 for an empty log). Cheap: the end of an index."""
    return fetch_value(LAST_SEQ, board_id=board_id) or 0


LAST_SEQ_ANYWHERE = sa.select(sa.func.max(EVENTS.c.seq))


def last_seq_anywhere() -> int:
    """The newest event's seq on any board: a primary-key maximum."""
    return fetch_value(LAST_SEQ_ANYWHERE) or 0


def recent_events(limit: int, board_id: str = DEFAULT_BOARD,
                  card_id: str | None = None) -> list[sa.Row]:
    """Newest first."""
    query = sa.select(EVENTS).where(Event.board_id == board_id)
    if card_id:
        query = query.where(Event.card_id == card_id)
    return fetch(query.order_by(Event.seq.desc()).limit(limit))


def events_since(since: datetime, limit: int, board_id: str = DEFAULT_BOARD) -> list[sa.Row]:
    """Tack's time cursor: events after `since`, newest first, at most `limit`."""
    return fetch(
        sa.select(EVENTS).where(Event.board_id == board_id, Event.created_at > since)
        .order_by(Event.seq.desc()).limit(limit)
    )


def events_after(after: int, limit: int, board_id: str = DEFAULT_BOARD) -> list[sa.Row]:
    """The seq cursor: events after `after`, oldest first, so none is ever skipped."""
    return fetch(EVENTS_AFTER, board_id=board_id, after=after, limit=limit)


def cards_by_id(card_ids) -> dict[str, sa.Row]:
    ids = {card_id for card_id in card_ids if card_id}
    if not ids:
        return {}
    return {card.id: card for card in fetch(sa.select(CARDS).where(Card.id.in_(ids)))}
