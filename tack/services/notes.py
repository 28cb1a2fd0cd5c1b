"""A card's trace log: append-only notes, oldest first."""
import sqlalchemy as sa

from tack.clock import now
from tack.errors import NotFound
from tack.extensions import db
from tack.models import Card, Note, UTCDateTime
from tack.services.cards import get_card, insert_note
from tack.services.reading import fetch
from tack.services.transaction import connection, write_transaction

CARDS = Card.__table__
TOUCH_CARD = (
    sa.update(CARDS).where(CARDS.c.id == sa.bindparam("card_id"))
    .values(updated_at=sa.bindparam("at", type_=UTCDateTime()))
    .returning(CARDS.c.board_id)
)


@write_transaction
def add_note(*, card_id: str, author: str = "", content: str) -> int:
    """Append a note; returns its id. (Agents note constantly: no ORM load here.)"""
    at = now()
    card = connection().execute(TOUCH_CARD, {"card_id": card_id, "at": at}).first()
    if card is None:
        raise NotFound("Card not found", "CARD_NOT_FOUND")
    return insert_note(card_id, card.board_id, author, content, at)


def list_notes(card_id: str) -> list[Note]:
    get_card(card_id)
    return list(db.session.scalars(
        sa.select(Note).where(Note.card_id == card_id).order_by(Note.id)
    ))


def note_counts(card_ids: list[str]) -> dict[str, int]:
    if not card_ids:
        return {}
    rows = fetch(
        sa.select(Note.card_id, sa.func.count()).where(Note.card_id.in_(card_ids))
        .group_by(Note.card_id)
    )
    return {card_id: count for card_id, count in rows}
