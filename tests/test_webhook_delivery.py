"""Webhook delivery to a real receiver on 127.0.0.1: signature, filters, order,
backoff and recovery, auto-disable, private-address refusal, leases."""
import hashlib
import hmac
from datetime import timedelta

import pytest
from kanban_helpers import auth, make_board, make_task
from webhook_receiver import Receiver

from tack.clock import now
from tack.services import webhook_delivery as delivery

TIMEOUT = 2.0


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.stop()


def add_hook(client, board, url, events=None):
    response = client.post(f"/api/v1/boards/{board['id']}/webhooks",
                           json={"url": url, "events": events or []}, headers=auth(board))
    assert response.status_code == 201, response.json
    return response.json


def deliver(app, at=None, allow_private=True, owner="test-process"):
    with app.app_context():
        return delivery.deliver_due(app_secret=app.config["SECRET_KEY"],
                                    allow_private=allow_private, owner=owner, at=at,
                                    timeout=TIMEOUT)


def hook_detail(client, board, hook):
    response = client.get(f"/api/v1/boards/{board['id']}/webhooks/{hook['id']}",
                          headers=auth(board))
    assert response.status_code == 200
    return response.json


def test_signed_contract_payloads_in_log_order(app, client, receiver):
    board = make_board(client)
    hook = add_hook(client, board, receiver.url)
    assert hook["secret"].startswith("whsec_")
    task = make_task(client, board, title="Fix bug")
    client.post(f"/api/v1/boards/{board['id']}/tasks/{task['id']}/claim",
                json={"actor_name": "Nanook"}, headers=auth(board))
    client.post(f"/api/v1/boards/{board['id']}/tasks/{task['id']}/comment",
                json={"message": "on it", "actor_name": "Nanook"}, headers=auth(board))
    # Renamed before the delivery ran: task.created still says what was created.
    client.patch(f"/api/v1/boards/{board['id']}/tasks/{task['id']}",
                 json={"title": "Fix bug, renamed", "actor_name": "Nanook"},
                 headers=auth(board))
    assert deliver(app) == 4
    events = [r["json"]["event"] for r in receiver.received]
    assert events == ["task.created", "task.claimed", "task.comment", "task.updated"]
    assert receiver.seqs() == sorted(receiver.seqs())
    for post in receiver.received:
        headers, body = post["headers"], post["body"]
        expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Kanban-Signature"] == "sha256=" + expected
        assert headers["X-Kanban-Event"] == post["json"]["event"]
        assert headers["X-Kanban-Board"] == board["id"] == post["json"]["board_id"]
        assert headers["X-Kanban-Delivery"] == delivery.delivery_id(hook["id"],
                                                                    post["json"]["seq"])
    created = receiver.received[0]["json"]
    assert created["data"]["title"] == "Fix bug" and created["data"]["task_id"] == task["id"]
    assert receiver.received[2]["json"]["data"]["message"] == "on it"
    assert receiver.received[3]["json"]["data"]["title"] == "Fix bug, renamed"
    # Nothing more is owed: a second pass posts nothing.
    assert deliver(app) == 0 and len(receiver.received) == 4
    detail = hook_detail(client, board, hook)
    assert detail["failure_count"] == 0 and detail["last_triggered_at"]
    assert [d["status"] for d in detail["recent_deliveries"]] == ["succeeded"] * 4
    assert detail["recent_deliveries"][0]["response_code"] == 200
    assert "secret" not in detail


def test_filters_hold(app, client, receiver):
    board = make_board(client)
    add_hook(client, board, receiver.url, events=["task.claimed"])
    other_board = make_board(client)
    task = make_task(client, board)
    make_task(client, other_board)
    client.post(f"/api/v1/boards/{board['id']}/tasks/{task['id']}/claim",
                json={"actor_name": "Nanook"}, headers=auth(board))
    client.post(f"/api/v1/boards/{board['id']}/tasks/{task['id']}/release",
                json={"actor_name": "Nanook"}, headers=auth(board))
    assert deliver(app) == 1
    assert [r["json"]["event"] for r in receiver.received] == ["task.claimed"]
    assert deliver(app) == 0


def test_receiver_down_then_up_gets_everything_in_order(app, client, receiver):
    board = make_board(client)
    hook = add_hook(client, board, receiver.url)
    receiver.stop()
    tasks = [make_task(client, board, title=f"t{i}") for i in range(5)]
    start = now()
    assert deliver(app, at=start) == 0
    assert deliver(app, at=start) == 0  # backing off: not tried again yet
    assert deliver(app, at=start + timedelta(seconds=1.5)) == 0  # still down
    detail = hook_detail(client, board, hook)
    assert detail["failure_count"] == 2 and detail["active"]
    failed = detail["recent_deliveries"]
    assert [d["status"] for d in failed] == ["failed", "failed"]
    assert failed[0]["attempt"] == 2 and failed[0]["error"]
    receiver.start()  # the same port again
    assert deliver(app, at=start + timedelta(seconds=2)) == 0  # backoff is now 2 s
    assert deliver(app, at=start + timedelta(seconds=4)) == 5
    assert [r["json"]["data"]["task_id"] for r in receiver.received] == \
        [t["id"] for t in tasks]
    # The delivery id of the first event was the same on every try.
    log = hook_detail(client, board, hook)["recent_deliveries"]
    first = [d for d in log if d["event_seq"] == receiver.seqs()[0]]
    assert len(first) == 3 and len({d["id"] for d in first}) == 1
    assert hook_detail(client, board, hook)["failure_count"] == 0


def test_auto_disabled_after_ten_failures_and_patch_re_enables(app, client, receiver):
    board = make_board(client)
    hook = add_hook(client, board, receiver.url)
    make_task(client, board)
    receiver.status = 500
    at = now()
    for _ in range(10):
        deliver(app, at=at)
        at += timedelta(seconds=301)
    detail = hook_detail(client, board, hook)
    assert detail["active"] is False and detail["failure_count"] == 10
    assert len(receiver.received) == 10
    assert all(d["response_code"] == 500 for d in detail["recent_deliveries"])
    deliver(app, at=at)
    assert len(receiver.received) == 10  # off: nothing more is tried
    receiver.status = 200
    response = client.patch(f"/api/v1/boards/{board['id']}/webhooks/{hook['id']}",
                            json={"active": True}, headers=auth(board))
    assert response.status_code == 200
    assert response.json["active"] is True and response.json["failure_count"] == 0
    assert deliver(app, at=at) == 1


def test_private_targets_refused_when_not_allowed(app, client, receiver):
    board = make_board(client)
    hook = add_hook(client, board, receiver.url)
    localhost = add_hook(client, board, receiver.url.replace("127.0.0.1", "localhost"))
    make_task(client, board)
    assert deliver(app, allow_private=False) == 0
    assert receiver.received == []
    for made in (hook, localhost):
        log = hook_detail(client, board, made)["recent_deliveries"]
        assert log[0]["status"] == "failed" and log[0]["error"].startswith("refused")
        assert log[0]["response_code"] is None


@pytest.mark.parametrize("address,public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.9", False),
    ("172.16.0.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False),
    ("fd00::1", False), ("::ffff:127.0.0.1", False), ("240.0.0.1", False),
    ("93.184.216.34", True), ("2606:4700:4700::1111", True),
])
def test_address_check(address, public):
    assert delivery.is_public_address(address) is public


def test_one_process_holds_a_hooks_lease(app, client, receiver):
    board = make_board(client)
    hook = add_hook(client, board, receiver.url)
    at = now()
    with app.app_context():
        assert delivery.take_lease(hook["id"], "process-a", at, 30)
        assert not delivery.take_lease(hook["id"], "process-b", at, 30)
        # A lease whose holder died runs out; then another process takes over.
        assert delivery.take_lease(hook["id"], "process-b", at + timedelta(seconds=31), 30)
    make_task(client, board)
    # Process a's pass finds the hook leased by b and posts nothing.
    assert deliver(app, at=at + timedelta(seconds=32), owner="process-a") == 0
    assert receiver.received == []


def test_webhook_api_errors(client):
    board = make_board(client)
    url = f"/api/v1/boards/{board['id']}/webhooks"
    assert client.post(url, json={"url": "https://example.com/h"}).status_code == 401
    bad = client.post(url, json={"url": ""}, headers=auth(board))
    assert bad.status_code == 400 and bad.json["code"] == "EMPTY_URL"
    bad = client.post(url, json={"url": "https://example.com/h", "events": ["task.nope"]},
                      headers=auth(board))
    assert bad.status_code == 400 and bad.json["code"] == "INVALID_EVENT_TYPE"
    bad = client.post(url, json={"url": "file:///etc/passwd"}, headers=auth(board))
    assert bad.status_code == 400 and bad.json["code"] == "INVALID_INPUT"
    missing = client.get(url + "/nope", headers=auth(board))
    assert missing.status_code == 404
    made = client.post(url, json={"url": "https://example.com/h"}, headers=auth(board))
    listed = client.get(url, headers=auth(board)).json
    assert [h["id"] for h in listed] == [made.json["id"]] and "secret" not in listed[0]
    gone = client.delete(f"{url}/{made.json['id']}", headers=auth(board))
    assert gone.status_code == 200 and gone.json == {"message": "Webhook deleted"}
    assert client.get(url, headers=auth(board)).json == []
