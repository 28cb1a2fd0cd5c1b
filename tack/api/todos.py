"""/api/cards/{id}/todos: a card's todo checklist on the Tack API. The same
services.todos calls as the AgentKanban surface and the card dialog; the card's
board is the one the card is on (Tack's card calls name no board)."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from tack.api import schemas as s
from tack.api.responses import json_response
from tack.clock import isoformat
from tack.services import cards, todos

blp = Blueprint("todos", __name__, url_prefix="/api/cards",
                description="A card's todo checklist, kept across iterations")

ITERATION = dict(validate=validate.Range(min=0, max=todos.ITERATION_MAX), metadata={
    "description": "The iteration (pass) of the work the item belongs to; the list is "
                   "ordered by iteration first"})


class TodoCreateSchema(s.Lenient):
    text = s.text(todos.TEXT_MAX, "The item", "Write the migration", required=True,
                  nonblank=True)
    iteration = fields.Integer(strict=True, load_default=1, **ITERATION)
    done = fields.Boolean(load_default=False, metadata={"description": "Already ticked"})
    source = s.text(16, "Who wrote it: " + ", ".join(todos.SOURCES), "agent",
                    load_default="api")
    actor = s.text(**s.ACTOR)


class TodoUpdateSchema(s.Lenient):
    text = s.text(todos.TEXT_MAX, "New wording", nonblank=True)
    done = fields.Boolean(metadata={"description": "true ticks the item off, false unticks"})
    iteration = fields.Integer(strict=True, **ITERATION)
    actor = s.text(**s.ACTOR)


class TodoReorderSchema(s.Lenient):
    ordered_ids = fields.List(s.text(64, "A todo id"), required=True, metadata={
        "description": "These todos first, in this order; the others follow as they were"})
    actor = s.text(**s.ACTOR)


class TodoDeleteArgs(s.Lenient):
    actor = s.text(**s.ACTOR)


class TodoSchema(s.ma.Schema):
    id = fields.String(metadata={"example": "0b7c6a0e-6f1e-4d38-9b8e-2f7f3d1c9a10"})
    card_id = fields.String()
    text = fields.String()
    done = fields.Boolean()
    iteration = fields.Integer()
    position = fields.Integer(metadata={"description": "Place in the card's list"})
    source = fields.String(metadata={"description": ", ".join(todos.SOURCES)})
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})


def todo_view(todo) -> dict:
    return {"id": todo.id, "card_id": todo.card_id, "text": todo.text, "done": todo.done,
            "iteration": todo.iteration, "position": todo.position, "source": todo.source,
            "created_at": isoformat(todo.created_at), "updated_at": isoformat(todo.updated_at)}


def board_of(card_id: str) -> str:
    """The card's board (404 CARD_NOT_FOUND for an unknown card)."""
    return cards.read_card(card_id).board_id


@blp.route("/<card_id>/todos")
class CardTodos(MethodView):
    @blp.response(200, TodoSchema(many=True))
    def get(self, card_id):
        """The checklist, ordered by iteration, then by place in the list."""
        return json_response([todo_view(todo) for todo in
                              todos.list_todos(board_id=board_of(card_id), card_id=card_id)])

    @blp.arguments(TodoCreateSchema())
    @blp.response(201, TodoSchema)
    def post(self, data, card_id):
        """Add an item at the end of the list (iteration 1 unless given)."""
        todo = todos.add_todo(board_id=board_of(card_id), card_id=card_id, text=data["text"],
                              iteration=data["iteration"], source=data["source"],
                              done=data["done"], actor=data["actor"])
        return json_response(todo_view(todo), 201)


@blp.route("/<card_id>/todos/reorder", methods=["POST"])
@blp.arguments(TodoReorderSchema())
@blp.response(200, TodoSchema(many=True))
def reorder(data, card_id):
    """The listed items first, in that order; the rest keep theirs after them."""
    ordered = todos.reorder_todos(board_id=board_of(card_id), card_id=card_id,
                                  ordered_ids=data["ordered_ids"], actor=data["actor"])
    return json_response([todo_view(todo) for todo in ordered])


@blp.route("/<card_id>/todos/<todo_id>")
class CardTodo(MethodView):
    @blp.arguments(TodoUpdateSchema())
    @blp.response(200, TodoSchema)
    def patch(self, data, card_id, todo_id):
        """Tick or untick (done), reword (text) or move to another iteration."""
        todo = todos.update_todo(board_id=board_of(card_id), card_id=card_id,
                                 todo_id=todo_id, **data)
        return json_response(todo_view(todo))

    @blp.arguments(TodoDeleteArgs(), location="query")
    @blp.response(200, s.StatusSchema)
    def delete(self, args, card_id, todo_id):
        """Remove the item."""
        todos.delete_todo(board_id=board_of(card_id), card_id=card_id, todo_id=todo_id,
                          actor=args["actor"])
        return json_response({"status": "deleted"})
