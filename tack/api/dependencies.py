"""/api/cards/{id}/dependencies and /api/dependencies: which cards must be finished
before a card is handed out by claim-next."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from tack.api import schemas as s
from tack.api.responses import json_response
from tack.services import dependencies
from tack.services.boards import DEFAULT_BOARD, get_board

blp = Blueprint("dependencies", __name__, url_prefix="/api",
                description="Cards that block other cards")


class DependencyCreateSchema(s.Lenient):
    blocker_id = s.text(32, "The card that must be finished first", "card-1a2b3c4d",
                        required=True, nonblank=True)
    note = s.text(dependencies.NOTE_MAX, "Why", "Auth before API routes", load_default="")
    actor = s.text(**s.ACTOR)


class DependencyDeleteArgs(s.Lenient):
    actor = s.text(**s.ACTOR)


class DependencyListArgs(s.Lenient):
    board = s.text(64, "The board", DEFAULT_BOARD, load_default=DEFAULT_BOARD)


class DependencySchema(s.ma.Schema):
    id = fields.String(metadata={"example": "0b7c6a0e-6f1e-4d38-9b8e-2f7f3d1c9a10"})
    board_id = fields.String()
    blocker_id = fields.String()
    blocker_title = fields.String()
    blocker_column_name = fields.String(metadata={"description": "Column key"})
    blocker_column_title = fields.String(metadata={"description": "Column display name"})
    blocker_completed = fields.Boolean(metadata={"description": "In a done column"})
    blocked_id = fields.String()
    blocked_title = fields.String()
    blocked_column_name = fields.String()
    blocked_column_title = fields.String()
    blocked_completed = fields.Boolean()
    note = fields.String()
    created_by = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})


@blp.route("/cards/<card_id>/dependencies")
class CardDependencies(MethodView):
    @blp.response(200, DependencySchema(many=True))
    def get(self, card_id):
        """Dependencies where the card is the blocker or the blocked one."""
        return json_response(dependencies.list_dependencies(card_id=card_id))

    @blp.arguments(DependencyCreateSchema())
    @blp.response(201, DependencySchema)
    def post(self, data, card_id):
        """Record that `blocker_id` must be done before this card (409 for a card
        blocking itself, a repeat, or a cycle)."""
        return json_response(dependencies.add_dependency(
            blocker_id=data["blocker_id"], blocked_id=card_id, note=data["note"],
            actor=data["actor"]), 201)


@blp.route("/cards/<card_id>/dependencies/<blocker_id>", methods=["DELETE"])
@blp.arguments(DependencyDeleteArgs(), location="query")
@blp.response(200, s.StatusSchema)
def remove(args, card_id, blocker_id):
    """This card no longer waits for `blocker_id`."""
    dependencies.remove_dependency_between(blocker_id=blocker_id, blocked_id=card_id,
                                           actor=args["actor"])
    return json_response({"status": "removed"})


@blp.route("/dependencies", methods=["GET"])
@blp.arguments(DependencyListArgs(), location="query")
@blp.response(200, DependencySchema(many=True))
def board_dependencies(args):
    """Every dependency on the board, oldest first."""
    get_board(args["board"])
    return json_response(dependencies.list_dependencies(board_id=args["board"]))
