"""Reading the event log: activity, changes by time, and changes by cursor."""
from datetime import datetime

import sqlalchemy as sa

from tack.extensions import db
from tack.models import Card, Event
from tack.services.boards import DEFAULT_BOARD


def last_seq(board_id: str = DEFAULT_BOARD) -> int:
    """The newest event's seq (0 for an empty log). Cheap: a primary-key max."""
    return db.session.scalar(
        sa.select(sa.func.max(Event.seq)).where(Event.board_id == board_id)
    ) or 0


def recent_events(limit: int, board_id: str = DEFAULT_BOARD,
                  card_id: str | None = None) -> list[Event]:
    """Newest first."""
    query = sa.select(Event).where(Event.board_id == board_id)
    if card_id:
        query = query.where(Event.card_id == card_id)
    return list(db.session.scalars(query.order_by(Event.seq.desc()).limit(limit)))


def events_since(since: datetime, limit: int, board_id: str = DEFAULT_BOARD) -> list[Event]:
    """Tack's time cursor: events after `since`, newest first, at most `limit`."""
    return list(db.session.scalars(
        sa.select(Event).where(Event.board_id == board_id, Event.created_at > since)
        .order_by(Event.seq.desc()).limit(limit)
    ))


def events_after(after: int, limit: int, board_id: str = DEFAULT_BOARD) -> list[Event]:
    """The seq cursor: events after `after`, oldest first, so none is ever skipped."""
    return list(db.session.scalars(
        sa.select(Event).where(Event.board_id == board_id, Event.seq > after)
        .order_by(Event.seq).limit(limit)
    ))


def cards_by_id(card_ids) -> dict[str, Card]:
    ids = {card_id for card_id in card_ids if card_id}
    if not ids:
        return {}
    return {card.id: card for card in db.session.scalars(sa.select(Card).where(Card.id.in_(ids)))}
