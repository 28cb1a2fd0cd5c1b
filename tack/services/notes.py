"""A card's trace log: append-only notes, oldest first."""
import sqlalchemy as sa

from tack.clock import now
from tack.extensions import db
from tack.models import Note
from tack.services.cards import add_note_to, get_card
from tack.services.transaction import write_transaction


@write_transaction
def add_note(*, card_id: str, author: str = "", content: str) -> Note:
    return add_note_to(get_card(card_id), author, content, now())


def list_notes(card_id: str) -> list[Note]:
    get_card(card_id)
    return list(db.session.scalars(
        sa.select(Note).where(Note.card_id == card_id).order_by(Note.id)
    ))


def note_counts(card_ids: list[str]) -> dict[str, int]:
    if not card_ids:
        return {}
    rows = db.session.execute(
        sa.select(Note.card_id, sa.func.count()).where(Note.card_id.in_(card_ids))
        .group_by(Note.card_id)
    )
    return dict(rows.all())
