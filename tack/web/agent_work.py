"""The card dialog's agent work: the todo checklist (tick, add, move up or down)
and the captured conversation turns, as an HTMX fragment the dialog loads. Every
change is a services.todos call, as on /api/ext/v1."""
from flask import Blueprint, render_template, request

from tack.services import cards, todos, turns
from tack.web import auth

bp = Blueprint("web_agent_work", __name__, url_prefix="/web/cards/<card_id>")
auth.protect_posts(bp)
TURNS_SHOWN = 200


def fragment(card_id: str, message: str = "", status: int = 200):
    card = cards.get_card(card_id)
    shown, more = turns.list_turns(board_id=card.board_id, card_id=card_id,
                                   limit=TURNS_SHOWN)
    return render_template(
        "partials/agent_work.html", card=card, message=message,
        todos=todos.list_todos(board_id=card.board_id, card_id=card_id),
        turns=shown, more_turns=more is not None), status


def change(card_id: str, work) -> tuple:
    """Run a page write on the card's checklist; a refusal shows in the fragment."""
    return auth.page_write(lambda: work(cards.get_card(card_id)),
                           lambda message, status: fragment(card_id, message, status))


@bp.get("/agent-work")
def show(card_id):
    return fragment(card_id)


@bp.post("/todos")
def add(card_id):
    def work(card):
        iteration = request.form.get("iteration", "1").strip()
        todos.add_todo(board_id=card.board_id, card_id=card_id,
                       text=request.form.get("text", "")[:todos.TEXT_MAX + 1],
                       iteration=int(iteration) if iteration.isdigit() else -1,
                       source="user", actor=auth.display_name())
    return change(card_id, work)


@bp.post("/todos/<todo_id>/toggle")
def toggle(card_id, todo_id):
    def work(card):
        todo = todos.get_todo(board_id=card.board_id, card_id=card_id, todo_id=todo_id)
        todos.update_todo(board_id=card.board_id, card_id=card_id, todo_id=todo_id,
                          done=not todo.done, actor=auth.display_name())
    return change(card_id, work)


@bp.post("/todos/<todo_id>/<direction>")
def move(card_id, todo_id, direction):
    """One place up or down in the list (the list's order is what reorder takes)."""
    def work(card):
        ids = [todo.id for todo in todos.list_todos(board_id=card.board_id, card_id=card_id)]
        if todo_id not in ids or direction not in ("up", "down"):
            return
        at = ids.index(todo_id)
        other = at - 1 if direction == "up" else at + 1
        if 0 <= other < len(ids):
            ids[at], ids[other] = ids[other], ids[at]
            todos.reorder_todos(board_id=card.board_id, card_id=card_id, ordered_ids=ids,
                                actor=auth.display_name())
    return change(card_id, work)
