"""kill -9 of the serving processes mid-delivery, then a restart: every event still
reaches the receiver (at least once, a repeat under the same delivery id), in the
log's order, with two processes sharing the work."""
import time

import pytest
import requests
from harness.server import LiveServer
from webhook_receiver import Receiver

pytestmark = pytest.mark.server
DELIVERY_ENV = {"TACK_SCHEDULER": "1", "TACK_WEBHOOK_ALLOW_PRIVATE": "1",
                "TACK_WEBHOOK_SECONDS": "0.2", "TACK_WEBHOOK_TIMEOUT_SECONDS": "1",
                "TACK_SWEEP_SECONDS": "3600"}


def test_kill_9_mid_delivery_loses_nothing(app, database):
    url, sqlite_path = database
    receiver = Receiver()
    receiver.delay = 0.02
    server = LiveServer(url, sqlite_path, workers=2, threads=4, extra_env=DELIVERY_ENV)
    try:
        board = requests.post(server.url + "/api/v1/boards", json={"name": "Hooks"}).json()
        headers = {"Authorization": f"Bearer {board['manage_key']}"}
        tasks_url = f"/api/v1/boards/{board['id']}/tasks"
        hook = requests.post(f"{server.url}/api/v1/boards/{board['id']}/webhooks",
                             json={"url": receiver.url, "events": ["task.created"]},
                             headers=headers)
        assert hook.status_code == 201
        for i in range(30):
            requests.post(server.url + tasks_url, json={"title": f"before {i}"},
                          headers=headers).raise_for_status()
        deadline = time.monotonic() + 20
        while len(receiver.received) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.received, server.output()
        server.crash()  # mid-delivery: some events posted, most still owed
        assert len({r["json"]["seq"] for r in receiver.received}) < 30
        server = LiveServer(url, sqlite_path, workers=2, threads=4, extra_env=DELIVERY_ENV)
        for i in range(10):
            requests.post(server.url + tasks_url, json={"title": f"after {i}"},
                          headers=headers).raise_for_status()
        deadline = time.monotonic() + 30
        while len({r["json"]["seq"] for r in receiver.received}) < 40 \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        titles = {r["json"]["data"]["title"] for r in receiver.received}
        assert titles == {f"before {i}" for i in range(30)} | {f"after {i}" for i in range(10)}
        seqs = [r["json"]["seq"] for r in receiver.received]
        first_seen = list(dict.fromkeys(seqs))
        assert first_seen == sorted(first_seen), "delivered out of the log's order"
        ids_by_seq = {}
        for post in receiver.received:
            ids_by_seq.setdefault(post["json"]["seq"], set()).add(
                post["headers"]["X-Kanban-Delivery"])
        assert all(len(ids) == 1 for ids in ids_by_seq.values())
    finally:
        server.stop()
        receiver.stop()
