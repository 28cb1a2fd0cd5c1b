"""/api/cards: Tack's card calls, each a thin translation to a service."""
import marshmallow as ma
import orjson
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from tack.api import actions
from tack.api import schemas as s
from tack.api.responses import json_response
from tack.api.snapshots import FAR_FUTURE, SLOT, cached_read, card_read, list_body
from tack.clock import now
from tack.services import cards, claims, decisions, notes
from tack.services.card_json import card_view, claim_is_active, note_view, sparse

blp = Blueprint("cards", __name__, url_prefix="/api/cards",
                description="Create, read, move, claim and annotate cards")


def parse_fields(raw: str | None) -> frozenset[str] | None:
    """`?fields=a,b` as a set of card keys (unknown names are ignored)."""
    if not raw:
        return None
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def cached_card_list(key: tuple, load, fields: frozenset[str] | None = None):
    """A list of cards from load(), cached until the next event or the first of
    their claims to expire."""

    def build(at):
        found = load()
        expiries = [card.claim_expires_at for card in found if claim_is_active(card, at)]
        body = orjson.dumps([sparse(card_view(card, at), fields) for card in found])
        return body, min(expiries, default=FAR_FUTURE)

    return cached_read(key + (fields,), build)


def card_post(path: str, arguments: ma.Schema, response: type[ma.Schema],
              location: str = "json"):
    """Register the view as POST /api/cards/<card_id>/<path>, reading `arguments`
    (from the JSON body or the query string) and answering 200 with `response`."""
    def register(view):
        view = blp.response(200, response)(view)
        view = blp.arguments(arguments, location=location)(view)
        return blp.route(f"/<card_id>/{path}", methods=["POST"])(view)
    return register


@blp.route("")
class CardCollection(MethodView):
    @blp.arguments(s.CardListArgs(), location="query")
    @blp.response(200, s.CardSchema(many=True))
    def get(self, args):
        """List cards, filtered by column, assignee, text, tag or priority."""
        filters = dict(column_name=args["column"], assignee=args["assignee"], q=args["q"],
                       tag=args["tag"], priority=args["priority"],
                       board_id=actions.requested_board())
        fields = parse_fields(args["fields"])

        def build(seq, at):
            # list_cards refuses an unknown column or priority; a cached answer was
            # checked when it was built.
            return list_body(cards.list_cards(**filters, columns=SLOT), seq, at, fields)

        return cached_read(("cards", fields) + tuple(filters.values()), build, pass_seq=True)

    @blp.arguments(s.BoardQueryArgs(), location="query")
    @blp.arguments(s.CardCreateSchema())
    @blp.response(201, s.CreatedSchema)
    def post(self, _board_query, data):
        """Create a card on `?board=` (default main), in inbox unless `column_name`
        says otherwise."""
        # actions.create reads ?board= itself (it also serves /api/batch).
        return json_response(*actions.create(data))


@blp.route("/claim-next")
class ClaimNext(MethodView):
    @blp.arguments(s.BoardQueryArgs(), location="query")
    @blp.arguments(s.ClaimNextSchema())
    @blp.response(200, s.CardSchema)
    @blp.alt_response(204, description="No free card matches")
    def post(self, _board_query, data):
        """Atomically claim the highest-priority, oldest free card on `?board=`
        (default main) that matches."""
        card = claims.claim_next_card(
            agent=data["agent"], ttl_seconds=data["ttl_seconds"],
            column_name=data["column"], assignee=data["assignee"], tag=data["tag"],
            board_id=actions.requested_board(),
        )
        if card is None:
            return Response(status=204)
        return json_response(card_view(card, now()))


@blp.route("/<card_id>")
class CardItem(MethodView):
    @blp.response(200, s.CardSchema)
    def get(self, card_id):
        """One card."""

        return card_read(card_id)

    @blp.arguments(s.CardUpdateSchema())
    @blp.response(200, s.StatusSchema)
    def patch(self, data, card_id):
        """Change any of title, description, column_name, assignee, priority, tags."""
        return json_response(*actions.update(card_id, data))

    @blp.arguments(s.DeleteArgs(), location="query")
    @blp.response(200, s.DeletedSchema)
    def delete(self, args, card_id):
        """Delete a card (reason optional here)."""
        reason = cards.delete_card(card_id=card_id, reason=args["reason"], actor=args["actor"])
        return json_response({"status": "deleted", "reason": reason})


@card_post("delete", s.DeleteSchema(), s.DeletedSchema)
def delete_with_reason(data, card_id):
    """Delete a card, saying why."""
    reason = cards.delete_card(card_id=card_id, reason=data["reason"], actor=data["actor"])
    return json_response({"status": "deleted", "reason": reason})


@card_post("move", s.MoveSchema(), s.MovedSchema)
def move(data, card_id):
    """Move a card to a column, optionally to a position in it."""
    return json_response(*actions.move(card_id, data))


@card_post("complete", s.CompleteSchema(), s.CompletedSchema)
def complete(data, card_id):
    """Move a card to done, with an optional note and follow-up card."""
    result = cards.complete_card(card_id=card_id, **data)
    return json_response({"status": "completed", **result})


@blp.route("/<card_id>/thread", methods=["GET"])
@blp.response(200, s.ThreadSchema)
def thread(card_id):
    """The card's follow-up chain: ancestors and descendants along follows_id."""
    chain = cards.thread(card_id)
    at = now()
    return json_response({
        "card": card_view(chain["card"], at),
        "ancestors": [card_view(c, at) for c in chain["ancestors"]],
        "descendants": [card_view(c, at) for c in chain["descendants"]],
        "thread_length": 1 + len(chain["ancestors"]) + len(chain["descendants"]),
    })


@card_post("claim", s.ClaimSchema(), s.ClaimedSchema)
def claim(data, card_id):
    """Claim a card for `agent` for `ttl_seconds`; the holder may re-claim to renew."""
    return json_response(*actions.claim(card_id, data))


@card_post("release", s.ReleaseArgs(), s.StatusSchema, location="query")
def release(args, card_id):
    """Release a claim; with `agent`, only the holder may."""
    return json_response(*actions.release(card_id, args))


@blp.route("/<card_id>/notes")
class CardNotes(MethodView):
    @blp.response(200, s.NoteOutSchema(many=True))
    def get(self, card_id):
        """The card's trace log, oldest first."""
        return json_response([note_view(n) for n in notes.list_notes(card_id)])

    @blp.arguments(s.NoteSchema())
    @blp.response(201, s.StatusSchema)
    def post(self, data, card_id):
        """Append a note to the card's trace log."""
        return json_response(*actions.note(card_id, data))


@card_post("decision", s.DecisionRequestSchema(), s.DecisionRequestedSchema)
def request_decision(data, card_id):
    """Ask a person to choose; the card moves to awaiting_decision."""
    card = decisions.request_decision(card_id=card_id, **data)
    return json_response({"status": "awaiting_decision", "question": card.decision["question"],
                          "options": [o["key"] for o in card.decision["options"]]})


@card_post("decide", s.DecideSchema(), s.DecidedSchema)
def decide(data, card_id):
    """Answer the pending decision; the card moves on (default in_progress)."""
    card = decisions.decide(card_id=card_id, **data)
    return json_response({"status": "decided", "choice": data["choice"],
                          "moved_to": card.column_key})


@card_post("approval", s.ApprovalRequestSchema(), s.ApprovalRequestedSchema)
def request_approval(data, card_id):
    """Ask a person to approve a plan; the card moves to awaiting_approval."""
    card = decisions.request_approval(card_id=card_id, **data)
    return json_response({"status": "awaiting_approval", "plan": card.approval["plan"]})


@card_post("approve", s.ApproveSchema(), s.ApprovedSchema)
def approve(data, card_id):
    """Approve or deny the pending plan."""
    card = decisions.answer_approval(card_id=card_id, **data)
    return json_response({"status": "approved" if data["approved"] else "denied",
                          "moved_to": card.column_key})
