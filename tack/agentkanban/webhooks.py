"""/api/ext/v1/webhooks: the calling key's webhooks (services.webhooks does the
checks: http(s) URL, known event types)."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tack.agentkanban import EXT_PREFIX
from tack.agentkanban import schemas as s
from tack.agentkanban.auth import current_key, require_board
from tack.agentkanban.boards import data, no_content
from tack.agentkanban.translate import delivery_view, webhook_view
from tack.services import key_webhooks

blp = Blueprint("agentkanban_webhooks", __name__, url_prefix=EXT_PREFIX,
                description="AgentKanban: webhooks of the calling key")


def allow_private() -> bool:
    """TACK_WEBHOOK_ALLOW_PRIVATE: whether hooks may target private addresses."""
    return current_app.config["TACK"].webhook_allow_private


@blp.route("/webhooks")
class Webhooks(MethodView):
    def get(self):
        """This key's webhooks."""
        return data([webhook_view(hook) for hook in key_webhooks.list_for(key_id=current_key().id)])

    @blp.arguments(s.AkWebhookCreate())
    def post(self, body):
        """Register {url, events, boardId?}; the signing secret is shown only now."""
        if body["board_id"] is not None:
            require_board(body["board_id"], "read")
        hook = key_webhooks.create(key_id=current_key().id, board_id=body["board_id"],
                                   url=body["url"], events=body["events"],
                                   app_secret=current_app.config["SECRET_KEY"],
                                   allow_private=allow_private())
        return data(webhook_view(hook), 201)


@blp.route("/webhooks/<webhook_id>")
class WebhookItem(MethodView):
    def get(self, webhook_id):
        """The webhook with its recent deliveries, newest first."""
        hook = key_webhooks.get(key_id=current_key().id, webhook_id=webhook_id)
        return data({**webhook_view(hook),
                     "recentDeliveries": [delivery_view(d) for d in hook["deliveries"]]})

    @blp.arguments(s.AkWebhookUpdate())
    def patch(self, body, webhook_id):
        """Change url, events and/or active."""
        hook = key_webhooks.update(key_id=current_key().id, webhook_id=webhook_id,
                                   allow_private=allow_private(), **body)
        return data(webhook_view(hook))

    def delete(self, webhook_id):
        key_webhooks.delete(key_id=current_key().id, webhook_id=webhook_id)
        return no_content()
