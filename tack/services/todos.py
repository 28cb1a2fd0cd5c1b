"""A card's todo checklist, kept across iterations: items are ordered by iteration,
then by their place in the card's list."""
import uuid

import sqlalchemy as sa

from tack.clock import now
from tack.errors import Invalid, NotFound
from tack.models_agentkanban import Todo
from tack.services.card_details import card_on_board
from tack.services.transaction import record, session, write_transaction

TEXT_MAX = 2000
TODOS_PER_CARD_MAX = 500
SOURCES = ("api", "agent", "user")
ITERATION_MAX = 1_000_000
UNSET = object()


def _clean_text(text) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise Invalid("Todo text is required", "INVALID_INPUT")
    if len(text) > TEXT_MAX:
        raise Invalid(f"Todo text is longer than {TEXT_MAX} characters", "INVALID_INPUT")
    return text


def _check_iteration(iteration) -> int:
    if isinstance(iteration, bool) or not isinstance(iteration, int) \
            or not 0 <= iteration <= ITERATION_MAX:
        raise Invalid(f"iteration must be an integer from 0 to {ITERATION_MAX}",
                      "INVALID_INPUT")
    return iteration


def _check_source(source: str) -> str:
    if source not in SOURCES:
        raise Invalid(f"source must be one of {', '.join(SOURCES)}", "INVALID_INPUT")
    return source


def _ordered(card_id: str) -> list[Todo]:
    return list(session().scalars(sa.select(Todo).where(Todo.card_id == card_id)
                                  .order_by(Todo.iteration, Todo.position, Todo.created_at,
                                            Todo.id)))


def list_todos(*, board_id: str, card_id: str) -> list[Todo]:
    card_on_board(board_id, card_id)
    return _ordered(card_id)


def get_todo(*, board_id: str, card_id: str, todo_id: str) -> Todo:
    card_on_board(board_id, card_id)
    todo = session().get(Todo, todo_id)
    if todo is None or todo.card_id != card_id:
        raise NotFound("Todo not found", "TODO_NOT_FOUND")
    return todo


@write_transaction
def add_todo(*, board_id: str, card_id: str, text: str, iteration: int = 1,
             source: str = "api", done: bool = False, actor: str = "") -> Todo:
    """A new item at the end of the card's list."""
    card = card_on_board(board_id, card_id)
    text, iteration, source = _clean_text(text), _check_iteration(iteration), \
        _check_source(source)
    count, last = session().execute(
        sa.select(sa.func.count(), sa.func.max(Todo.position)).where(Todo.card_id == card_id)
    ).one()
    if count >= TODOS_PER_CARD_MAX:
        raise Invalid(f"A task has at most {TODOS_PER_CARD_MAX} todos", "INVALID_INPUT")
    at = now()
    todo = Todo(id=str(uuid.uuid4()), card_id=card_id, text=text, done=bool(done),
                iteration=iteration, position=0 if last is None else last + 1,
                source=source, created_at=at, updated_at=at)
    session().add(todo)
    card.updated_at = at
    record("todo_added", card_id=card_id, actor=actor, details=text[:200], board_id=board_id)
    return todo


@write_transaction
def update_todo(*, board_id: str, card_id: str, todo_id: str, text=UNSET, done=UNSET,
                iteration=UNSET, actor: str = "") -> Todo:
    """Change the text, tick or untick, or move to another iteration."""
    todo = get_todo(board_id=board_id, card_id=card_id, todo_id=todo_id)
    edited = []
    if text is not UNSET and _clean_text(text) != todo.text:
        todo.text = _clean_text(text)
        edited.append("text")
    if done is not UNSET:
        if not isinstance(done, bool):
            raise Invalid("done must be true or false", "INVALID_INPUT")
        if done != todo.done:
            todo.done = done
            edited.append("done" if done else "undone")
    if iteration is not UNSET and _check_iteration(iteration) != todo.iteration:
        todo.iteration = iteration
        edited.append("iteration")
    if edited:
        todo.updated_at = now()
        record("todo_updated", card_id=card_id, actor=actor,
               details=f"{todo.text[:150]}: {', '.join(edited)}", board_id=board_id)
    return todo


@write_transaction
def delete_todo(*, board_id: str, card_id: str, todo_id: str, actor: str = "") -> None:
    todo = get_todo(board_id=board_id, card_id=card_id, todo_id=todo_id)
    session().delete(todo)
    record("todo_deleted", card_id=card_id, actor=actor, details=todo.text[:200],
           board_id=board_id)


@write_transaction
def reorder_todos(*, board_id: str, card_id: str, ordered_ids: list[str],
                  actor: str = "") -> list[Todo]:
    """The listed todos take the first places, in that order; the others follow in
    their present order. (Iteration still groups first when listing.)"""
    card_on_board(board_id, card_id)
    todos = {todo.id: todo for todo in _ordered(card_id)}
    if len(set(ordered_ids)) != len(ordered_ids):
        raise Invalid("orderedIds lists a todo twice", "INVALID_INPUT")
    unknown = [todo_id for todo_id in ordered_ids if todo_id not in todos]
    if unknown:
        raise Invalid(f"Not a todo of this task: {unknown[0]}", "INVALID_INPUT")
    rest = [todo_id for todo_id in todos if todo_id not in set(ordered_ids)]
    for position, todo_id in enumerate(list(ordered_ids) + rest):
        todos[todo_id].position = position
    session().flush()
    record("todos_reordered", card_id=card_id, actor=actor, details="", board_id=board_id)
    return _ordered(card_id)
