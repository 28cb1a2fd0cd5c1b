"""/api/batch: many writes in one request; each runs alone, as its single call would."""
import marshmallow as ma
from flask import request
from flask_smorest import Blueprint

from tack.api import actions
from tack.api import schemas as s
from tack.api.responses import error_response, json_response
from tack.errors import TackError

blp = Blueprint("batch", __name__, url_prefix="/api", description="Several writes at once")

# action -> (schema for its fields, handler, takes a card_id)
OPERATIONS = {
    "create": (s.CardCreateSchema(), actions.create, False),
    "move": (s.MoveSchema(), actions.move, True),
    "update": (s.CardUpdateSchema(), actions.update, True),
    "claim": (s.ClaimSchema(), actions.claim, True),
    "release": (s.ReleaseArgs(), actions.release, True),
    "note": (s.NoteSchema(), actions.note, True),
}


def run_operation(operation) -> dict:
    """What the single call would answer, or {error, status_code}."""
    if not isinstance(operation, dict):
        return {"error": "Each operation must be an object", "status_code": 422}
    action = operation.get("action")
    if not isinstance(action, str) or action not in OPERATIONS:
        return {"error": f"Unknown action {action!r}. Valid actions: "
                         + ", ".join(OPERATIONS), "status_code": 400}
    schema, handler, needs_card = OPERATIONS[action]
    try:
        data = schema.load(operation)
    except ma.ValidationError as invalid:
        return {"error": invalid.messages, "status_code": 422}
    try:
        if needs_card:
            card_id = operation.get("card_id")
            if not isinstance(card_id, str) or not card_id:
                return {"error": "card_id is required", "status_code": 422}
            body, _status = handler(card_id, data)
        else:
            body, _status = handler(data)
    except TackError as refused:
        return {"error": refused.detail, "status_code": refused.status}
    return body


@blp.route("/batch", methods=["POST"])
@blp.arguments(s.BatchOperationSchema(many=True), as_kwargs=False)
@blp.response(200, s.BatchResultSchema)
def batch(_checked):
    """Run up to 100 operations (create, move, update, claim, release, note). One
    failing operation does not stop the others."""
    operations = request.get_json()
    if len(operations) > s.BATCH_MAX:
        return error_response(400, f"Too many operations: {len(operations)} "
                                   f"(at most {s.BATCH_MAX})", "BATCH_TOO_LARGE")
    results = [run_operation(op) for op in operations]
    return json_response({"results": results, "count": len(results)})
