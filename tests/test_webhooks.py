"""Webhook registrations: the secret shown once and kept encrypted, URLs and event
types checked, re-enabling resets failures, and the delivery log."""
import pytest
import sqlalchemy as sa

from tack.errors import Conflict, Invalid, NotFound
from tack.extensions import db
from tack.models import Webhook, WebhookDelivery
from tack.services import webhooks

SECRET = "app-secret"


@pytest.fixture
def ctx(app, frozen):
    with app.app_context():
        yield frozen


def create(url="https://example.com/hook", events=None, board_id="main",
           allow_private=True):
    return webhooks.create_webhook(board_id=board_id, url=url, events=events,
                                   app_secret=SECRET, allow_private=allow_private)


def update(webhook_id, allow_private=True, **changes):
    return webhooks.update_webhook(webhook_id=webhook_id, allow_private=allow_private,
                                   **changes)


def test_create_returns_the_secret_once(ctx):
    made = create(events=["task.created", "task.moved", "task.created"])
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 30
    assert {k: v for k, v in made.items() if k not in ("id", "secret")} == {
        "board_id": "main", "url": "https://example.com/hook",
        "events": ["task.created", "task.moved"], "active": True, "failure_count": 0,
        "last_triggered_at": None, "created_at": "2026-03-02T09:00:00+00:00",
        "updated_at": "2026-03-02T09:00:00+00:00"}
    listed = webhooks.list_webhooks(board_id="main")
    assert listed == [{k: v for k, v in made.items() if k != "secret"}]
    assert "secret" not in webhooks.get_webhook(webhook_id=made["id"])


def test_the_secret_is_stored_encrypted_and_readable_for_signing(ctx):
    made = create()
    stored = db.session.scalar(sa.select(Webhook.secret_encrypted))
    assert made["secret"] not in stored
    assert webhooks.webhook_signing_secret(webhook_id=made["id"], app_secret=SECRET) \
        == made["secret"]
    with pytest.raises(Conflict) as changed:
        webhooks.webhook_signing_secret(webhook_id=made["id"], app_secret="other")
    assert changed.value.code == "WEBHOOK_SECRET_UNREADABLE"


@pytest.mark.parametrize("url,code", [
    ("", "EMPTY_URL"), ("   ", "EMPTY_URL"), (None, "EMPTY_URL"),
    ("ftp://example.com/x", "INVALID_URL"), ("file:///etc/passwd", "INVALID_URL"),
    ("javascript:alert(1)", "INVALID_URL"), ("example.com/hook", "INVALID_URL"),
    ("https://", "INVALID_URL"), ("https:///path", "INVALID_URL"),
    ("https://user:pw@example.com/", "INVALID_URL"), ("https://a b.com/", "INVALID_URL"),
    ("https://example.com/\nX-Injected: 1", "INVALID_URL"),
    ("https://example.com:99999/", "INVALID_URL"), ("https://example.com:0/", "INVALID_URL"),
    ("https://example.com:port/", "INVALID_URL"), ("https://" + "a" * 64 + ".com/", "INVALID_URL"),
    ("https://example.com/" + "x" * 2048, "INVALID_URL"), ("http://[::1/", "INVALID_URL"),
])
def test_bad_urls_are_refused(ctx, url, code):
    with pytest.raises(Invalid) as refused:
        create(url=url)
    assert refused.value.code == code
    assert webhooks.list_webhooks(board_id="main") == []


@pytest.mark.parametrize("url", [
    "https://example.com/hook", "http://127.0.0.1:8080/in", "HTTPS://Example.COM",
    "http://[::1]:9000/x?a=1", "https://hooks.example.com/a/b?token=x#frag",
])
def test_good_urls_are_kept(ctx, url):
    assert create(url=url)["url"] == url


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/in", "http://[::1]:9000/x", "http://10.1.2.3/h",
    "http://192.168.0.9/h", "http://172.16.0.1/h", "http://169.254.169.254/latest",
    "http://[fe80::1]/h", "http://[::ffff:127.0.0.1]/h", "http://100.64.0.1/h",
    "http://0.0.0.0/h", "http://127.1/h", "http://2130706433/h", "http://0x7f000001/h",
    "http://localhost:8080/h", "http://api.localhost/h", "http://LOCALHOST./h",
])
def test_private_literal_targets_are_refused_at_registration_unless_allowed(ctx, url):
    with pytest.raises(Invalid) as refused:
        create(url=url, allow_private=False)
    assert refused.value.code == "INVALID_URL" and "TACK_WEBHOOK_ALLOW_PRIVATE" in \
        refused.value.detail
    assert create(url=url, allow_private=True)["url"] == url


@pytest.mark.parametrize("url", ["https://example.com/hook", "http://93.184.216.34/h",
                                 "http://[2606:2800:220:1::1]/h", "https://10.example.com/h"])
def test_public_and_named_targets_are_kept_when_private_ones_are_refused(ctx, url):
    # A name is judged after DNS resolution at every delivery, not here.
    assert create(url=url, allow_private=False)["url"] == url


def test_a_url_changed_to_a_private_address_is_refused(ctx):
    made = create(allow_private=False)
    with pytest.raises(Invalid) as refused:
        update(made["id"], allow_private=False, url="http://10.0.0.5/hook")
    assert refused.value.code == "INVALID_URL"
    assert webhooks.get_webhook(webhook_id=made["id"])["url"] == "https://example.com/hook"


def test_unknown_event_types_are_refused(ctx):
    with pytest.raises(Invalid) as refused:
        create(events=["task.created", "task.exploded"])
    assert refused.value.code == "INVALID_EVENT_TYPE"


def test_update_changes_what_is_given_and_re_enabling_resets_failures(ctx):
    made = create(events=["task.created"])
    db.session.execute(sa.update(Webhook).values(active=False, failure_count=10))
    db.session.commit()
    ctx.advance(minutes=5)
    updated = update(made["id"], url="https://new.example/h")
    assert (updated["url"], updated["events"], updated["active"],
            updated["failure_count"]) == ("https://new.example/h", ["task.created"], False, 10)
    assert updated["updated_at"] == "2026-03-02T09:05:00+00:00"
    enabled = update(made["id"], active=True, events=[])
    assert (enabled["active"], enabled["failure_count"], enabled["events"]) == (True, 0, [])
    with pytest.raises(Invalid):
        update(made["id"], url="ftp://x")
    assert webhooks.get_webhook(webhook_id=made["id"])["url"] == "https://new.example/h"


def test_hooks_belong_to_their_board(ctx):
    made = create()
    for call in (lambda: webhooks.get_webhook(webhook_id=made["id"], board_id="other"),
                 lambda: update(made["id"], board_id="other", active=False),
                 lambda: webhooks.delete_webhook(webhook_id=made["id"], board_id="other"),
                 lambda: webhooks.get_webhook(webhook_id="nope")):
        with pytest.raises(NotFound) as missing:
            call()
        assert missing.value.code == "WEBHOOK_NOT_FOUND"
    with pytest.raises(NotFound) as no_board:
        create(board_id="other")
    assert no_board.value.code == "BOARD_NOT_FOUND"


def test_a_board_has_at_most_twenty_hooks(ctx):
    for _ in range(webhooks.WEBHOOKS_PER_BOARD_MAX):
        create()
    with pytest.raises(Conflict) as refused:
        create()
    assert refused.value.code == "WEBHOOK_LIMIT"


def test_delete_removes_the_hook_and_its_delivery_log(ctx):
    made = create()
    db.session.add_all(WebhookDelivery(
        webhook_id=made["id"], delivery_id=f"d-{i}", event_seq=i, event_type="task.created",
        attempt=1, status="failed" if i == 2 else "succeeded",
        response_code=500 if i == 2 else 200, duration_ms=12, error="", created_at=ctx.at)
        for i in (1, 2))
    db.session.commit()
    log = webhooks.list_deliveries(webhook_id=made["id"])
    assert [(d["id"], d["status"], d["response_code"]) for d in log] == [
        ("d-2", "failed", 500), ("d-1", "succeeded", 200)]
    with pytest.raises(Invalid):
        webhooks.list_deliveries(webhook_id=made["id"], limit=0)
    webhooks.delete_webhook(webhook_id=made["id"])
    assert webhooks.list_webhooks(board_id="main") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
