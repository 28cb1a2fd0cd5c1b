"""What AgentKanban's tasks add over card_details: a short id (the 8 hex characters
of the card id, which users copy and search by), the archived flag edited with the
other fields in one change, a move that reports where the card landed, and the
time of the last captured turn."""
import re

import sqlalchemy as sa

from tack.errors import Invalid
from tack.models import Card
from tack.models_agentkanban import Turn
from tack.services import card_details
from tack.services.board_reads import BOARD_ORDER, board_cards, read_task
from tack.services.boards import board_row
from tack.services.reading import fetch, fetch_value
from tack.services.transaction import session, write_transaction

CARD_ID_PREFIX = "card-"
SHORT_ID = re.compile(r"^[0-9a-f]{1,8}$")


def short_id(card_id: str) -> str:
    return card_id[len(CARD_ID_PREFIX):] if card_id.startswith(CARD_ID_PREFIX) else card_id


def list_tasks(*, board_id: str, lane_id: str | None = None, include_archived: bool = False,
               short_id_prefix: str | None = None) -> list[sa.Row]:
    """The board's cards in lane order, then card order."""
    board_row(board_id)
    query = board_cards(board_id, column=lane_id, include_archived=include_archived)
    if short_id_prefix is not None:
        prefix = short_id_prefix.strip().lower()
        if not SHORT_ID.match(prefix):
            raise Invalid("shortIdPrefix must be 1 to 8 hex characters", "INVALID_INPUT")
        query = query.where(Card.id.startswith(CARD_ID_PREFIX + prefix))
    return fetch(query.order_by(*BOARD_ORDER))


def last_turn_at(card_id: str):
    """When the newest captured turn of the card was captured (None: no turns)."""
    return fetch_value(sa.select(sa.func.max(Turn.captured_at)).where(Turn.card_id == card_id))


def place_in_lane(board_id: str, card_id: str) -> int:
    """The card's 0-based place among its lane's cards."""
    card = read_task(board_id, card_id)
    ids = [row.id for row in fetch(
        sa.select(Card.id).where(Card.board_id == board_id,
                                 Card.column_key == card.column_key)
        .order_by(Card.position, Card.created_at, Card.id))]
    return ids.index(card_id)


@write_transaction
def edit_task(*, board_id: str, card_id: str, changes: dict, archived: bool | None = None,
              actor: str = "") -> None:
    """Tack's editable fields and the archived flag, all or nothing."""
    card_details.update_task(board_id=board_id, card_id=card_id, changes=changes, actor=actor)
    if archived is not None:
        card_details.set_task_archived(board_id=board_id, card_id=card_id, archived=archived,
                                       actor=actor)


@write_transaction
def move_task(*, board_id: str, card_id: str, lane_id: str, position: int | None = None,
              actor: str = "") -> None:
    """To `lane_id` at `position` (0-based), or at the end of it (WIP limits apply)."""
    if position is None:
        card_details.move_task(board_id=board_id, card_id=card_id, column_key=lane_id,
                               actor=actor)
    else:
        card_details.reorder_task(board_id=board_id, card_id=card_id, position=position,
                                  column_key=lane_id, actor=actor)
    session().flush()
