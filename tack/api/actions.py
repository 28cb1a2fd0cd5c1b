"""The write calls as (validated body -> (response body, status)) functions, shared
by the single endpoints and /api/batch so each call is translated once."""
from flask import request

from tack.clock import isoformat
from tack.services import cards, claims, notes
from tack.services.boards import DEFAULT_BOARD, get_board


def requested_board() -> str:
    """The board a call that is not about one card acts on: `?board=` (default main)
    on reads and writes alike. 404 BOARD_NOT_FOUND for an unknown board."""
    board_id = request.args.get("board") or DEFAULT_BOARD
    if board_id != DEFAULT_BOARD:
        get_board(board_id)
    return board_id


def create(data: dict) -> tuple[dict, int]:
    card = cards.create_card(
        title=data["title"], description=data["description"],
        column_name=data["column_name"], assignee=data["assignee"],
        priority=data["priority"], created_by=data["created_by"] or data["actor"],
        tags=data["tags"], board_id=requested_board(),
    )
    return {"id": card.id, "status": "created"}, 201


def update(card_id: str, data: dict) -> tuple[dict, int]:
    actor = data.pop("actor", "")
    status = cards.update_card(card_id=card_id, changes=data, actor=actor)
    return {"status": status}, 200


def move(card_id: str, data: dict) -> tuple[dict, int]:
    source, destination = cards.move_card(
        card_id=card_id, column_name=data["column_name"], position=data["position"],
        actor=data["actor"],
    )
    return {"status": "moved", "from": source, "to": destination}, 200


def claim(card_id: str, data: dict) -> tuple[dict, int]:
    card = claims.claim_card(card_id=card_id, agent=data["agent"],
                             ttl_seconds=data["ttl_seconds"])
    return {"status": "claimed", "agent": card.claimed_by,
            "expires_at": isoformat(card.claim_expires_at)}, 200


def release(card_id: str, data: dict) -> tuple[dict, int]:
    claims.release_card(card_id=card_id, agent=data.get("agent") or None)
    return {"status": "released"}, 200


def note(card_id: str, data: dict) -> tuple[dict, int]:
    note_id = notes.add_note(card_id=card_id, author=data["author"], content=data["content"])
    return {"status": "added", "id": note_id}, 201
