"""/api/v1: a board's webhooks and their recent deliveries. Every call needs the
board's manage key (or the admin key): a hook's URL and log are the owner's."""
import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from tack.api.responses import json_response
from tack.kanban import register_v1_blueprint
from tack.kanban.auth import require_edit
from tack.kanban.schemas import Lenient, MessageOut
from tack.services import webhooks
from tack.services.webhooks import DELIVERIES_LIMIT_MAX, EVENT_TYPES, URL_MAX

blp = register_v1_blueprint(Blueprint(
    "kanban_webhooks", __name__, url_prefix="/api/v1/boards/<board_id>",
    description="HNR Kanban: webhooks"))

RECENT_DELIVERIES = 20
EVENTS_FIELD = dict(metadata={"description": "Event types to deliver (empty: all): "
                                             + ", ".join(EVENT_TYPES)})


class WebhookCreateSchema(Lenient):
    url = fields.String(load_default="", validate=validate.Length(max=URL_MAX + 100))
    events = fields.List(fields.String(validate=validate.Length(max=64)),
                         validate=validate.Length(max=len(EVENT_TYPES) * 2),
                         load_default=list, **EVENTS_FIELD)


class WebhookUpdateSchema(Lenient):
    url = fields.String(validate=validate.Length(max=URL_MAX + 100))
    events = fields.List(fields.String(validate=validate.Length(max=64)),
                         validate=validate.Length(max=len(EVENT_TYPES) * 2), **EVENTS_FIELD)
    active = fields.Boolean(metadata={"description": "true re-enables a hook the "
                                                     "delivery job turned off, with a "
                                                     "fresh failure count"})


class DeliveryArgs(Lenient):
    limit = fields.Integer(load_default=50,
                           validate=validate.Range(min=1, max=DELIVERIES_LIMIT_MAX))


class DeliveryOut(ma.Schema):
    id = fields.String(metadata={"description": "Delivery id (X-Kanban-Delivery), the "
                                                "same for each try of one event"})
    event_seq = fields.Integer()
    event_type = fields.String()
    attempt = fields.Integer()
    status = fields.String(metadata={"description": "succeeded or failed"})
    response_code = fields.Integer(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    error = fields.String()
    created_at = fields.String()


class WebhookOut(ma.Schema):
    id = fields.String()
    board_id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()
    failure_count = fields.Integer()
    last_triggered_at = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(metadata={"description": "Shown only in this answer"})


class WebhookDetailOut(WebhookOut):
    recent_deliveries = fields.List(fields.Nested(DeliveryOut))


def app_secret() -> str:
    return current_app.config["SECRET_KEY"]


def allow_private() -> bool:
    return current_app.config["TACK"].webhook_allow_private


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.response(200, WebhookOut(many=True))
    def get(self, board_id):
        """The board's webhooks (never their secrets)."""
        require_edit(board_id)
        return json_response(webhooks.list_webhooks(board_id=board_id))

    @blp.arguments(WebhookCreateSchema())
    @blp.response(201, WebhookCreatedOut)
    def post(self, data, board_id):
        """Register a webhook; the `secret` (for X-Kanban-Signature) is shown only
        here. Empty `events` means every event type."""
        require_edit(board_id)
        return json_response(webhooks.create_webhook(
            board_id=board_id, url=data["url"], events=data["events"],
            app_secret=app_secret(), allow_private=allow_private()), 201)


@blp.route("/webhooks/<webhook_id>")
class WebhookItem(MethodView):
    @blp.response(200, WebhookDetailOut)
    def get(self, board_id, webhook_id):
        """The webhook with its latest delivery attempts (newest first)."""
        require_edit(board_id)
        body = webhooks.get_webhook(webhook_id=webhook_id, board_id=board_id)
        body["recent_deliveries"] = webhooks.list_deliveries(
            webhook_id=webhook_id, board_id=board_id, limit=RECENT_DELIVERIES)
        return json_response(body)

    @blp.arguments(WebhookUpdateSchema())
    @blp.response(200, WebhookOut)
    def patch(self, data, board_id, webhook_id):
        """Change url, events or active (all optional)."""
        require_edit(board_id)
        return json_response(webhooks.update_webhook(
            webhook_id=webhook_id, board_id=board_id, url=data.get("url"),
            events=data.get("events"), active=data.get("active"),
            allow_private=allow_private()))

    @blp.response(200, MessageOut)
    def delete(self, board_id, webhook_id):
        """Remove the webhook and its delivery log."""
        require_edit(board_id)
        webhooks.delete_webhook(webhook_id=webhook_id, board_id=board_id)
        return json_response({"message": "Webhook deleted"})


@blp.route("/webhooks/<webhook_id>/deliveries", methods=["GET"])
@blp.arguments(DeliveryArgs(), location="query")
@blp.response(200, DeliveryOut(many=True))
def deliveries(args, board_id, webhook_id):
    """The webhook's delivery attempts, newest first (status, response code,
    duration, error)."""
    require_edit(board_id)
    return json_response(webhooks.list_deliveries(
        webhook_id=webhook_id, board_id=board_id, limit=args["limit"]))
