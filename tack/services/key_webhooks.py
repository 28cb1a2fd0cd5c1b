"""Webhooks an access key registers (AgentKanban lists them per key). The hook
itself is services.webhooks'; this keeps which key owns it. A hook without a board
covers every board the key can read."""
import sqlalchemy as sa

from tack.errors import Conflict, NotFound
from tack.models_agentkanban import AccessKeyWebhook
from tack.services import webhooks
from tack.services.transaction import session, write_transaction

WEBHOOKS_PER_KEY_MAX = 20


def _owned(key_id: str, webhook_id: str) -> None:
    link = session().get(AccessKeyWebhook, webhook_id)
    if link is None or link.access_key_id != key_id:
        raise NotFound("Webhook not found", "WEBHOOK_NOT_FOUND")


@write_transaction
def create(*, key_id: str, board_id: str | None, url: str, events: list[str] | None,
           app_secret: str, allow_private: bool) -> dict:
    count = session().scalar(sa.select(sa.func.count())
                             .where(AccessKeyWebhook.access_key_id == key_id))
    if count >= WEBHOOKS_PER_KEY_MAX:
        raise Conflict(f"A key has at most {WEBHOOKS_PER_KEY_MAX} webhooks", "WEBHOOK_LIMIT")
    hook = webhooks.create_webhook(board_id=board_id, url=url, events=events,
                                   app_secret=app_secret, allow_private=allow_private)
    session().add(AccessKeyWebhook(webhook_id=hook["id"], access_key_id=key_id))
    return hook


def list_for(*, key_id: str) -> list[dict]:
    ids = session().scalars(sa.select(AccessKeyWebhook.webhook_id)
                            .where(AccessKeyWebhook.access_key_id == key_id))
    hooks = [webhooks.get_webhook(webhook_id=webhook_id) for webhook_id in ids]
    return sorted(hooks, key=lambda hook: (hook["created_at"], hook["id"]))


def get(*, key_id: str, webhook_id: str, deliveries: int = 20) -> dict:
    _owned(key_id, webhook_id)
    return {**webhooks.get_webhook(webhook_id=webhook_id),
            "deliveries": webhooks.list_deliveries(webhook_id=webhook_id, limit=deliveries)}


@write_transaction
def update(*, key_id: str, webhook_id: str, **changes) -> dict:
    _owned(key_id, webhook_id)
    return webhooks.update_webhook(webhook_id=webhook_id, **changes)


@write_transaction
def delete(*, key_id: str, webhook_id: str) -> None:
    _owned(key_id, webhook_id)
    webhooks.delete_webhook(webhook_id=webhook_id)
