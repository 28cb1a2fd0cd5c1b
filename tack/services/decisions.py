"""Structured questions for humans: decisions (pick an option) and approvals
(yes or no on a plan). Asking moves the card to the column that waits for the
answer; answering moves it on."""
from collections.abc import Callable

import sqlalchemy as sa

from tack.clock import isoformat, now
from tack.errors import Invalid
from tack.models import Card
from tack.services.boards import DEFAULT_BOARD, column_or_default, column_with_role
from tack.services.cards import add_note_to, get_card, place_card
from tack.services.reading import fetch
from tack.services.transaction import record, write_transaction

# Per question kind (also the card attribute and the waiting column's role): the key
# its answer is stored under (with `<key>_by` and `<key>_at`), and its remark's key.
ANSWER_KEYS = {"decision": ("decided", "note"), "approval": ("approved", "comment")}


@write_transaction
def request_decision(*, card_id: str, question: str, options: list[dict], context: str = "",
                     deadline: str = "", actor: str = "") -> Card:
    card = get_card(card_id)
    keys = [option["key"] for option in options]
    if len(set(keys)) != len(keys):
        raise Invalid("Option keys must be unique", "DUPLICATE_OPTION")
    options = [{"key": o["key"], "label": o.get("label") or o["key"],
                "description": o.get("description") or ""} for o in options]
    return _ask(card, "decision", {"question": question, "options": options,
                                   "context": context, "deadline": deadline},
                actor=actor, summary=question)


def _ask(card: Card, role: str, asked: dict, *, actor: str, summary: str) -> Card:
    """Store the question as `card.<role>` with its answer fields still empty, park
    the card in the column that waits on a person's `role` answer, and record
    `<role>_requested`."""
    answer, remark = ANSWER_KEYS[role]
    at = now()
    setattr(card, role, {**asked, "requested_by": actor, "requested_at": isoformat(at),
                         answer: None, f"{answer}_by": "", f"{answer}_at": "", remark: ""})
    waiting = column_with_role(role, card.board_id)
    if card.column_key != waiting.key:
        place_card(card, waiting.key, None, actor, at)
    card.updated_at = at
    record(f"{role}_requested", card_id=card.id, actor=actor, details=summary[:200],
           board_id=card.board_id)
    return card


@write_transaction
def decide(*, card_id: str, choice: str, actor: str = "", note: str = "",
           move_to: str | None = None) -> Card:
    """Record the choice; the card moves to `move_to` (default: the doing column)."""
    card = get_card(card_id)
    decision = _unanswered(card, "decision", lambda given: f"'{given}'")
    keys = [option["key"] for option in decision["options"]]
    if choice not in keys:
        raise Invalid(f"Invalid choice '{choice}'. Valid options: {', '.join(keys)}",
                      "INVALID_CHOICE")
    destination = column_or_default(move_to, "doing", card.board_id)
    return _answer(card, "decision", choice, note, trace=note, event="decided",
                   details=choice, move_to=destination.key, actor=actor)


def _unanswered(card: Card, role: str, shown: Callable[[object], str]) -> dict:
    """The card's `role` question; refused when it has none or it is answered
    already (the refusal says `shown(the answer given)`)."""
    answer, _ = ANSWER_KEYS[role]
    asked = getattr(card, role)
    if not asked:
        raise Invalid(f"No pending {role} on this card", f"NO_PENDING_{role.upper()}")
    if asked.get(answer) is not None:
        raise Invalid(f"Already decided: {shown(asked[answer])}", "ALREADY_DECIDED")
    return asked


def _answer(card: Card, role: str, value, remark: str, *, trace: str, event: str,
            details: str, move_to: str, actor: str) -> Card:
    """Store the answer and its remark beside the question, add `trace` to the card's
    notes when there is one, record `event`, and move the card to column `move_to`."""
    answer, remark_key = ANSWER_KEYS[role]
    at = now()
    setattr(card, role, {**getattr(card, role), answer: value, f"{answer}_by": actor,
                         f"{answer}_at": isoformat(at), remark_key: remark})
    if trace:
        add_note_to(card, actor, trace, at)
    record(event, card_id=card.id, actor=actor, details=details, board_id=card.board_id)
    place_card(card, move_to, None, actor, at)
    return card


@write_transaction
def request_approval(*, card_id: str, plan: str, context: str = "", actor: str = "") -> Card:
    card = get_card(card_id)
    return _ask(card, "approval", {"plan": plan, "context": context}, actor=actor,
                summary=plan)


@write_transaction
def answer_approval(*, card_id: str, approved: bool, comment: str = "", actor: str = "",
                    move_to: str | None = None) -> Card:
    """Approve or deny. Approved goes to doing, denied to blocked, unless `move_to`."""
    card = get_card(card_id)
    _unanswered(card, "approval", _verdict)
    destination = column_or_default(move_to, "doing" if approved else "blocked",
                                    card.board_id)
    verdict = _verdict(approved)
    return _answer(card, "approval", approved, comment,
                   trace=f"[{verdict.upper()}] {comment}" if comment else "",
                   event=f"approval_{verdict}", details=comment[:200],
                   move_to=destination.key, actor=actor)


def _verdict(approved: bool) -> str:
    return "approved" if approved else "denied"


def waiting_cards(role: str, board_id: str = DEFAULT_BOARD) -> list[sa.Row]:
    """Cards in the column that waits on `role` (decision/approval), oldest update first."""
    column = column_with_role(role, board_id)
    return fetch(
        sa.select(Card.__table__).where(Card.board_id == board_id,
                                        Card.column_key == column.key)
        .order_by(Card.updated_at, Card.id)
    )
