"""Webhook delivery to a real receiver on 127.0.0.1: signature, filters, order,
backoff and recovery, auto-disable, private-address refusal, leases."""
import hashlib
import hmac
import re
import socket
from datetime import timedelta

import pytest
from kanban_helpers import assert_error, auth, make_board, make_task
from webhook_receiver import Receiver

from tack.clock import now
from tack.extensions import db
from tack.models import WebhookDelivery
from tack.services import webhook_delivery as delivery

TIMEOUT = 2.0


@pytest.fixture
def config_overrides():
    """The receivers listen on 127.0.0.1: this board may post to its own network, as
    a self-hosted one does (TACK_WEBHOOK_ALLOW_PRIVATE=1). Tests of the refusal turn
    the setting off."""
    return {"webhook_allow_private": True}


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
    """Hooks made while private targets were allowed: once they are not, every
    delivery refuses them after resolving the host."""
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


def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(
        app, client, receiver, monkeypatch):
    """Registration cannot judge a name (its address can change), so it is accepted;
    each delivery resolves it and refuses a private answer."""
    app.config["TACK"].webhook_allow_private = False
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        # The DNS of a name that points at this machine (as a rebinding attack does).
        return real_getaddrinfo("127.0.0.1" if host == "hooks.example.test" else host,
                                *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    board = make_board(client)
    hook = add_hook(client, board, receiver.url.replace("127.0.0.1", "hooks.example.test"))
    make_task(client, board)
    assert deliver(app, allow_private=False) == 0
    assert receiver.received == []
    [log] = hook_detail(client, board, hook)["recent_deliveries"]
    assert log["status"] == "failed"
    assert log["error"].startswith("refused: hooks.example.test resolves to 127.0.0.1")
    # The same hook where private targets are allowed: the name reaches the receiver.
    assert deliver(app, at=now() + timedelta(minutes=10), allow_private=True) == 1
    assert [post["json"]["event"] for post in receiver.received] == ["task.created"]
    assert receiver.received[0]["headers"]["Host"].startswith("hooks.example.test:")


def test_private_literal_targets_are_refused_at_registration(app, client):
    """TACK_WEBHOOK_ALLOW_PRIVATE off: a private, loopback or link-local address in
    the URL is the contract's 400 INVALID_INPUT at once, on create and on update."""
    app.config["TACK"].webhook_allow_private = False
    board = make_board(client)
    url = f"/api/v1/boards/{board['id']}/webhooks"
    for target in ("http://127.0.0.1:8080/hook", "http://10.0.0.7/hook",
                   "http://169.254.169.254/latest/meta-data", "http://[::1]:9000/hook",
                   "http://[fe80::1]/hook", "http://localhost/hook"):
        refused = client.post(url, json={"url": target}, headers=auth(board))
        assert_error(refused, 400, "INVALID_INPUT")
        assert "TACK_WEBHOOK_ALLOW_PRIVATE" in refused.json["error"]
    made = client.post(url, json={"url": "https://example.com/h"}, headers=auth(board))
    assert made.status_code == 201
    patched = client.patch(f"{url}/{made.json['id']}", json={"url": "http://192.168.1.2/h"},
                           headers=auth(board))
    assert_error(patched, 400, "INVALID_INPUT")
    assert client.get(url, headers=auth(board)).json[0]["url"] == "https://example.com/h"


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


HOSTILE = "<script>alert(1)</script>"


def test_settings_page_shows_each_hooks_recent_deliveries(app, client, receiver):
    """Server-rendered: status, response code, duration and error of each attempt,
    newest first, with the hook's URL and the receiver's words escaped."""
    board = make_board(client)
    hook = add_hook(client, board, receiver.url + "?tag=" + HOSTILE, events=["task.created"])
    make_task(client, board, title="first")
    assert deliver(app) == 1
    receiver.status = 500
    make_task(client, board, title="second")
    assert deliver(app, at=now()) == 0
    with app.app_context():
        db.session.add(WebhookDelivery(
            webhook_id=hook["id"], delivery_id="d-hostile", event_seq=999,
            event_type="task.created", attempt=3, status="failed",
            error="BadStatusLine: " + HOSTILE, created_at=now() + timedelta(minutes=1)))
        db.session.commit()

    client.get(f"/board/{board['id']}?key={board['manage_key']}")  # its manage link
    page = client.get(f"/boards/{board['id']}/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = html[html.index('<section id="webhooks">'):]
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "Events: task.created" in section and "failures in a row: 1" in section
    rows = re.findall(r'<tr class="(succeeded|failed)">(.*?)</tr>', section, re.S)
    cells = [[cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
             for _status, row in rows]
    assert [status for status, _row in rows] == ["failed", "failed", "succeeded"]
    assert cells[0][1:] == ["task.created #999", "3", "failed", "–", "–",
                            "BadStatusLine: &lt;script&gt;alert(1)&lt;/script&gt;"]
    assert cells[1][2:5] == ["1", "failed", "500"] and cells[1][6] == "receiver answered 500"
    assert cells[2][2:5] == ["1", "succeeded", "200"] and cells[2][6] == ""
    assert all(re.fullmatch(r"\d+ ms", row[5]) for row in cells[1:])


def test_settings_page_shows_webhooks_only_to_a_person_who_may_change_the_board(app, client):
    """A hook's URL can carry a token: shown to the admin or a holder of the board's
    manage key, never to anyone else (with or without an admin key)."""
    board = make_board(client)
    add_hook(client, board, "https://example.com/hook?token=s3cret")
    settings = f"/boards/{board['id']}/settings"
    hidden = "to see this board's webhooks"
    html = client.get(settings).data.decode()
    assert "s3cret" not in html and hidden in html
    client.get(f"/board/{board['id']}?key={board['manage_key']}")
    assert "token=s3cret" in client.get(settings).data.decode()
    app.config["TACK"].api_key = "page-key"
    assert "token=s3cret" in client.get(settings).data.decode()
    html = app.test_client().get(settings).data.decode()
    assert "s3cret" not in html and hidden in html


def test_settings_page_without_webhooks_says_how_to_add_one(client):
    board = make_board(client)
    client.get(f"/board/{board['id']}?key={board['manage_key']}")
    html = client.get(f"/boards/{board['id']}/settings").data.decode()
    assert f"POST /api/v1/boards/{board['id']}/webhooks" in html
