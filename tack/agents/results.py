"""Tool results an agent can act on: a few lines saying what happened and what to do
next, plus compact structured data (ids, columns, claims; never whole payloads)."""
from dataclasses import dataclass
from typing import Any

from tack.agents.calls import Answer, ApiError

# Lists show at most this many cards; the answer says how many more there are.
LIST_LIMIT = 50
BOARD_FIELDS = "title,priority,assignee,claimed_by,claim_expires_at"
CARD_KEYS = ("id", "title", "column_name", "priority", "assignee", "claimed_by",
             "claim_expires_at")


@dataclass(frozen=True)
class Outcome:
    text: str
    data: Any
    is_error: bool = False


def count(number: int) -> str:
    return f"{number} card" + ("" if number == 1 else "s")


def compact(card: dict) -> dict:
    return {key: card[key] for key in CARD_KEYS if card.get(key)}


def card_line(card: dict) -> str:
    parts = [card.get("column_name", ""), card.get("priority", "")]
    line = f'{card["id"]} "{card.get("title", "")}" [{", ".join(p for p in parts if p)}]'
    if card.get("assignee"):
        line += f" for {card['assignee']}"
    if card.get("claimed_by"):
        line += f", claimed by {card['claimed_by']} until {card.get('claim_expires_at')}"
    return line


def card_lines(cards: list[dict], total: int | None = None) -> tuple[str, list[dict]]:
    shown = cards[:LIST_LIMIT]
    total = len(cards) if total is None else total
    lines = [card_line(card) for card in shown]
    if total > len(shown):
        lines.append(f"... and {total - len(shown)} more (narrow with column, tag or q)")
    return "\n".join(lines) or "(no cards)", [compact(card) for card in shown]


PICK_NEXT = "\nNext: get_card for details, claim_card to take one."


def refused(error: ApiError) -> Outcome:
    hint = NEXT_AFTER_ERROR.get(error.code, "")
    return Outcome(f"The board refused: {error}" + (f"\nNext: {hint}" if hint else ""),
                   {"status": error.status, "code": error.code, "message": error.message},
                   is_error=True)


NEXT_AFTER_ERROR = {
    "ALREADY_CLAIMED": "another agent holds this card; call claim_next_card for another.",
    "NOT_FOUND": "check the card id with list_cards or search_cards.",
    "CARD_NOT_FOUND": "check the card id with list_cards or search_cards.",
    "UNAUTHORIZED": "this board needs an API key (TACK_API_KEY / --key).",
    "BOARD_NOT_FOUND": "see list_boards for the board ids.",
}


def boards(answer: Answer, _args: dict) -> Outcome:
    lines = [f'{b["id"]} "{b["name"]}" ({b.get("task_count", 0)} cards)' for b in answer.data]
    if not any(b["id"] == "main" for b in answer.data):
        lines.insert(0, "main: the default board (used when no board is given)")
    data = [{"id": b["id"], "name": b["name"], "task_count": b.get("task_count", 0)}
            for b in answer.data]
    return Outcome("\n".join(lines) + "\nNext: read_board or claim_next_card with board=<id>.",
                   data)


def board(answer: Answer, _args: dict) -> Outcome:
    sections, data = [], {}
    for column, cards in answer.data.items():
        text, shown = card_lines([{**card, "column_name": column} for card in cards])
        sections.append(f"{column} ({len(cards)}):\n" + text)
        data[column] = shown
    return Outcome("\n".join(sections) + "\nNext: claim_next_card to take work.", data)


def card_list(answer: Answer, _args: dict) -> Outcome:
    text, shown = card_lines(answer.data)
    return Outcome(f"{count(len(answer.data))}\n{text}{PICK_NEXT if answer.data else ''}",
                   {"cards": shown, "total": len(answer.data)})


def search(answer: Answer, _args: dict) -> Outcome:
    body = answer.data
    text, shown = card_lines(body["cards"], body["total"])
    return Outcome(f"{count(body['total'])} match '{body['query']}', best first\n{text}"
                   f"{PICK_NEXT if body['cards'] else ''}",
                   {"cards": shown, "total": body["total"]})


def card_details(answer: Answer, _args: dict) -> Outcome:
    card = answer.data
    lines = [card_line(card)]
    if card.get("description"):
        lines.append(card["description"])
    waiting = waiting_on(card)
    if waiting:
        lines.append(waiting)
    data = compact(card) | {key: card[key] for key in ("description", "decision", "approval",
                                                       "tags") if card.get(key)}
    return Outcome("\n".join(lines), data)


def waiting_on(card: dict) -> str:
    decision, approval = card.get("decision") or {}, card.get("approval") or {}
    if decision and decision.get("decided") is None:
        return f"Waiting for a decision: {decision['question']}"
    if approval and approval.get("approved") is None:
        return f"Waiting for approval of: {approval['plan']}"
    return ""


def created(answer: Answer, args: dict) -> Outcome:
    card_id = answer.data["id"]
    return Outcome(f'Created {card_id} "{args["title"]}". Next: claim_card to work on it, '
                   "or leave it for others.", {"id": card_id})


def updated(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"Updated {args['card_id']}.", {"id": args["card_id"], "status": "updated"})


def claimed_next(answer: Answer, args: dict) -> Outcome:
    if answer.status == 204 or not answer.data:
        return Outcome("No free card right now. Next: wait and try again, or create_card "
                       "for work you found.", {"card": None})
    card = answer.data
    text = (f"Claimed {card_line(card)}.\n"
            + (f"{card['description']}\n" if card.get("description") else "")
            + f"Next: move_card {card['id']} to in_progress, add_note as you work, "
              f"complete_card when done (claim again before {card['claim_expires_at']} "
              "to keep it).")
    return Outcome(text, {"card": compact(card)})


def claimed(answer: Answer, args: dict) -> Outcome:
    expires = answer.data.get("expires_at")
    return Outcome(f"You hold {args['card_id']} until {expires}. Next: add_note as you work, "
                   "complete_card when done, or release_card to give it up.",
                   {"id": args["card_id"], "agent": args["agent"], "expires_at": expires})


def released(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"Released {args['card_id']}. Next: claim_next_card for other work.",
                   {"id": args["card_id"], "status": "released"})


def noted(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"Note added to {args['card_id']}.", {"id": args["card_id"], "status": "added"})


def moved(answer: Answer, args: dict) -> Outcome:
    body = answer.data
    return Outcome(f"Moved {args['card_id']} from {body.get('from')} to {body.get('to')}.",
                   {"id": args["card_id"], "from": body.get("from"), "to": body.get("to")})


def completed(answer: Answer, args: dict) -> Outcome:
    body = answer.data
    text = f"Completed {args['card_id']} (was in {body.get('from')})."
    data = {"id": args["card_id"], "status": "completed"}
    if body.get("followup_id"):
        text += f" Follow-up card {body['followup_id']} is in inbox."
        data["followup_id"] = body["followup_id"]
    return Outcome(text + " Next: claim_next_card for more work.", data)


def decision_requested(answer: Answer, args: dict) -> Outcome:
    options = answer.data.get("options", [])
    return Outcome(f"{args['card_id']} waits for a human to choose ({', '.join(options)}). "
                   f"Next: wait_for_decision card_id={args['card_id']}.",
                   {"id": args["card_id"], "status": "awaiting_decision", "options": options})


def approval_requested(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"{args['card_id']} waits for a human to approve the plan. "
                   f"Next: wait_for_decision card_id={args['card_id']}.",
                   {"id": args["card_id"], "status": "awaiting_approval"})


def answered(card: dict) -> bool:
    decision, approval = card.get("decision") or {}, card.get("approval") or {}
    return (decision.get("decided") is not None) or (approval.get("approved") is not None) \
        or not (decision or approval)


def answer(card: dict, cursor: int) -> Outcome:
    decision, approval = card.get("decision") or {}, card.get("approval") or {}
    data = {"id": card["id"], "column_name": card["column_name"], "cursor": cursor}
    if decision.get("decided") is not None:
        data |= {"decided": decision["decided"], "by": decision.get("decided_by", ""),
                 "note": decision.get("note", "")}
        text = f"Decided: '{decision['decided']}' by {decision.get('decided_by') or 'someone'}"
    elif approval.get("approved") is not None:
        data |= {"approved": approval["approved"], "by": approval.get("approved_by", ""),
                 "comment": approval.get("comment", "")}
        text = ("Approved" if approval["approved"] else "Denied") \
            + f" by {approval.get('approved_by') or 'someone'}"
    else:
        return Outcome(f"{card['id']} has no pending decision or approval.", data)
    note = data.get("note") or data.get("comment")
    text += (f" ({note})" if note else "") + f"; the card is in {card['column_name']}."
    return Outcome(text + " Next: carry on with the card.", data)


def still_waiting(card: dict, cursor: int) -> Outcome:
    return Outcome(f"No answer yet on {card['id']}. Next: wait_for_decision again with "
                   f"after={cursor}, or work on something else meanwhile.",
                   {"id": card["id"], "answered": False, "cursor": cursor})


def dependency_added(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"{args['card_id']} now waits for {args['blocker_id']}; claim-next skips it "
                   "until the blocker is done.",
                   {"id": answer.data["id"], "blocker_id": args["blocker_id"],
                    "blocked_id": args["card_id"]})


def dependencies(answer: Answer, args: dict) -> Outcome:
    card_id = args["card_id"]
    lines, data = [], []
    for dep in answer.data:
        if dep["blocked_id"] == card_id:
            state = "done" if dep["blocker_completed"] else dep["blocker_column_name"]
            lines.append(f'waits for {dep["blocker_id"]} "{dep["blocker_title"]}" ({state})')
        else:
            lines.append(f'blocks {dep["blocked_id"]} "{dep["blocked_title"]}"')
        data.append({key: dep[key] for key in ("blocker_id", "blocked_id", "blocker_completed")})
    return Outcome("\n".join(lines) or f"{card_id} has no dependencies.", data)


def dependency_removed(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"{args['card_id']} no longer waits for {args['blocker_id']}.",
                   {"status": "removed"})


def todo_line(todo: dict) -> str:
    return f'[{"x" if todo["done"] else " "}] {todo["text"]} ' \
           f'({todo["id"]}, iteration {todo["iteration"]})'


def compact_todo(todo: dict) -> dict:
    return {key: todo[key] for key in ("id", "text", "done", "iteration")}


def todo_list(answer: Answer, args: dict) -> Outcome:
    todos = answer.data
    open_count = sum(not todo["done"] for todo in todos)
    lines = [todo_line(todo) for todo in todos] or [f"{args['card_id']} has no todos."]
    hint = "Next: update_todo done=true as you finish each." if open_count else \
        "Next: add_todo for work you find."
    return Outcome("\n".join(lines) + f"\n{open_count} of {len(todos)} open. {hint}",
                   {"todos": [compact_todo(todo) for todo in todos], "open": open_count})


def todo_added(answer: Answer, args: dict) -> Outcome:
    todo = answer.data
    return Outcome(f"Added {todo_line(todo)} to {args['card_id']}. Next: update_todo "
                   f"todo_id={todo['id']} done=true when it is done.", compact_todo(todo))


def todo_updated(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"Now {todo_line(answer.data)}.", compact_todo(answer.data))


def todo_removed(answer: Answer, args: dict) -> Outcome:
    return Outcome(f"Removed todo {args['todo_id']} from {args['card_id']}.",
                   {"id": args["todo_id"], "status": "deleted"})
