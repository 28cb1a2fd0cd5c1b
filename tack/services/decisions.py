"""Structured questions for humans: decisions (pick an option) and approvals
(yes or no on a plan). Asking moves the card to the column that waits for the
answer; answering moves it on."""
import sqlalchemy as sa

from tack.clock import isoformat, now
from tack.errors import Invalid
from tack.models import Card
from tack.services.boards import DEFAULT_BOARD, column_or_default, column_with_role
from tack.services.cards import add_note_to, get_card, place_card
from tack.services.reading import fetch
from tack.services.transaction import record, write_transaction


@write_transaction
def request_decision(*, card_id: str, question: str, options: list[dict], context: str = "",
                     deadline: str = "", actor: str = "") -> Card:
    card = get_card(card_id)
    keys = [option["key"] for option in options]
    if len(set(keys)) != len(keys):
        raise Invalid("Option keys must be unique", "DUPLICATE_OPTION")
    at = now()
    card.decision = {
        "question": question,
        "options": [
            {"key": o["key"], "label": o.get("label") or o["key"],
             "description": o.get("description") or ""}
            for o in options
        ],
        "context": context,
        "deadline": deadline,
        "requested_by": actor,
        "requested_at": isoformat(at),
        "decided": None,
        "decided_by": "",
        "decided_at": "",
        "note": "",
    }
    _wait_for_answer(card, "decision", actor, at)
    record("decision_requested", card_id=card.id, actor=actor, details=question[:200],
           board_id=card.board_id)
    return card


def _wait_for_answer(card: Card, role: str, actor: str, at) -> None:
    """Park the card in the column that waits on a person's `role` answer."""
    waiting = column_with_role(role, card.board_id)
    if card.column_key != waiting.key:
        place_card(card, waiting.key, None, actor, at)
    card.updated_at = at


@write_transaction
def decide(*, card_id: str, choice: str, actor: str = "", note: str = "",
           move_to: str | None = None) -> Card:
    """Record the choice; the card moves to `move_to` (default: the doing column)."""
    card = get_card(card_id)
    decision = card.decision
    if not decision:
        raise Invalid("No pending decision on this card", "NO_PENDING_DECISION")
    if decision.get("decided") is not None:
        raise Invalid(f"Already decided: '{decision['decided']}'", "ALREADY_DECIDED")
    keys = [option["key"] for option in decision["options"]]
    if choice not in keys:
        raise Invalid(f"Invalid choice '{choice}'. Valid options: {', '.join(keys)}",
                      "INVALID_CHOICE")
    destination = column_or_default(move_to, "doing", card.board_id)
    at = now()
    card.decision = {**decision, "decided": choice, "decided_by": actor,
                     "decided_at": isoformat(at), "note": note}
    if note:
        add_note_to(card, actor, note, at)
    record("decided", card_id=card.id, actor=actor, details=choice, board_id=card.board_id)
    place_card(card, destination.key, None, actor, at)
    return card


@write_transaction
def request_approval(*, card_id: str, plan: str, context: str = "", actor: str = "") -> Card:
    card = get_card(card_id)
    at = now()
    card.approval = {
        "plan": plan,
        "context": context,
        "requested_by": actor,
        "requested_at": isoformat(at),
        "approved": None,
        "approved_by": "",
        "approved_at": "",
        "comment": "",
    }
    _wait_for_answer(card, "approval", actor, at)
    record("approval_requested", card_id=card.id, actor=actor, details=plan[:200],
           board_id=card.board_id)
    return card


@write_transaction
def answer_approval(*, card_id: str, approved: bool, comment: str = "", actor: str = "",
                    move_to: str | None = None) -> Card:
    """Approve or deny. Approved goes to doing, denied to blocked, unless `move_to`."""
    card = get_card(card_id)
    approval = card.approval
    if not approval:
        raise Invalid("No pending approval on this card", "NO_PENDING_APPROVAL")
    if approval.get("approved") is not None:
        verdict = "approved" if approval["approved"] else "denied"
        raise Invalid(f"Already decided: {verdict}", "ALREADY_DECIDED")
    destination = column_or_default(move_to, "doing" if approved else "blocked",
                                    card.board_id)
    at = now()
    card.approval = {**approval, "approved": approved, "approved_by": actor,
                     "approved_at": isoformat(at), "comment": comment}
    if comment:
        add_note_to(card, actor, ("[APPROVED] " if approved else "[DENIED] ") + comment, at)
    record("approval_approved" if approved else "approval_denied", card_id=card.id,
           actor=actor, details=comment[:200], board_id=card.board_id)
    place_card(card, destination.key, None, actor, at)
    return card


def waiting_cards(role: str, board_id: str = DEFAULT_BOARD) -> list[sa.Row]:
    """Cards in the column that waits on `role` (decision/approval), oldest update first."""
    column = column_with_role(role, board_id)
    return fetch(
        sa.select(Card.__table__).where(Card.board_id == board_id,
                                        Card.column_key == column.key)
        .order_by(Card.updated_at, Card.id)
    )
