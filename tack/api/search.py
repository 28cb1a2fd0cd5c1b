"""/api/search: ranked full-text search over a board's cards."""
from flask_smorest import Blueprint
from marshmallow import fields, validate

from tack.api import schemas as s
from tack.api.responses import json_response
from tack.clock import now
from tack.services import cards, search
from tack.services.boards import DEFAULT_BOARD, column_named
from tack.services.card_json import card_view

blp = Blueprint("search", __name__, url_prefix="/api",
                description="Full-text search over titles, descriptions and tags")


class SearchArgs(s.Lenient):
    q = s.text(search.QUERY_MAX, "Words to find; each must appear (as a word or the "
               "start of one)", "login redirect", load_default="")
    board = s.text(64, "The board", DEFAULT_BOARD, load_default=DEFAULT_BOARD)
    column = s.text(64, "Only this column", load_default=None)
    assignee = s.text(s.NAME_MAX, "Only this assignee", load_default=None)
    tag = s.text(s.TAG_MAX, "Only cards with this tag", load_default=None)
    priority = s.text(16, "Only this priority", load_default=None)
    claimed_by = s.text(s.NAME_MAX, "Only cards this agent holds a claim on",
                        load_default=None)
    limit = fields.Integer(load_default=50,
                           validate=validate.Range(min=1, max=search.LIMIT_MAX))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class SearchResultSchema(s.ma.Schema):
    query = fields.String()
    cards = fields.List(fields.Nested(s.CardSchema), metadata={"description": "Best first"})
    total = fields.Integer(metadata={"description": "Matches in all, across pages"})
    limit = fields.Integer()
    offset = fields.Integer()


@blp.route("/search", methods=["GET"])
@blp.arguments(SearchArgs(), location="query")
@blp.response(200, SearchResultSchema)
def search_cards(args):
    """Cards matching every word of `q` and every filter, best match first (title
    above tags above description), with the total for paging."""
    board = args["board"]
    if args["column"]:
        column_named(args["column"], board)
    if args["priority"]:
        cards.check_priority(args["priority"])
    found, total = search.search_cards(
        board_id=board, query=args["q"], column_name=args["column"],
        assignee=args["assignee"], tag=args["tag"], priority=args["priority"],
        claimed_by=args["claimed_by"], limit=args["limit"], offset=args["offset"])
    at = now()
    return json_response({"query": args["q"], "cards": [card_view(c, at) for c in found],
                          "total": total, "limit": args["limit"], "offset": args["offset"]})
