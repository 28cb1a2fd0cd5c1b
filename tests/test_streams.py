"""Live streams against the real server: resume without loss or repeats across
processes, heartbeats, the stream limit, the `warning` for a client too far behind,
and a quick graceful stop with streams open."""
import signal
import threading
import time

import pytest
import requests
from harness.server import LiveServer
from sse_client import SSEClient

pytestmark = pytest.mark.server
CHANGES = 200


def make_board(url: str) -> dict:
    response = requests.post(url + "/api/v1/boards", json={"name": "Live"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def two_processes(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=4,
                      extra_env={"TACK_STREAM_POLL_SECONDS": "0.05"})
    yield live
    live.stop()


@pytest.fixture
def small_server(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=1, threads=4, extra_env={
        "TACK_STREAMS_MAX": "2", "TACK_STREAM_HEARTBEAT_SECONDS": "0.3",
        "TACK_STREAM_REPLAY_MAX": "5", "TACK_STREAM_POLL_SECONDS": "0.05"})
    yield live
    live.stop()


def test_reconnecting_client_sees_every_change_once_in_order(two_processes):
    url = two_processes.url
    board = make_board(url)
    stream_url = f"{url}/api/v1/boards/{board['id']}/events/stream"
    client = SSEClient(stream_url)
    assert client.status == 200
    assert client.response.getheader("Content-Type").startswith("text/event-stream")
    headers = {"Authorization": f"Bearer {board['manage_key']}"}
    failures = []

    def write(writer: int):
        session = requests.Session()
        for i in range(CHANGES // 4):
            answer = session.post(f"{url}/api/v1/boards/{board['id']}/tasks",
                                  json={"title": f"w{writer} t{i}"}, headers=headers)
            if answer.status_code != 201:
                failures.append(answer.text)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    seen = []
    for stop_at in (60, 130):
        while len(seen) < stop_at:
            seen.append(client.next_event())
        client.close()  # drop the connection mid-load, then resume where we were
        client = SSEClient(stream_url, last_event_id=seen[-1]["id"])
    while len(seen) < CHANGES:
        seen.append(client.next_event())
    for thread in writers:
        thread.join()
    client.close()
    assert not failures
    seqs = [int(event["id"]) for event in seen]
    assert seqs == sorted(set(seqs)), "events repeated or out of order"
    assert {event["event"] for event in seen} == {"task.created"}
    titles = sorted(event["data"]["data"]["title"] for event in seen)
    assert titles == sorted(f"w{w} t{i}" for w in range(4) for i in range(CHANGES // 4))
    assert all(event["data"]["board_id"] == board["id"] for event in seen)


def test_native_stream_carries_every_action_and_resumes_with_after(two_processes):
    url = two_processes.url
    board = make_board(url)
    headers = {"Authorization": f"Bearer {board['manage_key']}"}
    column = requests.post(f"{url}/api/v1/boards/{board['id']}/columns",
                           json={"name": "Extra"}, headers=headers)
    assert column.status_code == 201
    task = requests.post(f"{url}/api/v1/boards/{board['id']}/tasks",
                         json={"title": "Watch me"}, headers=headers).json()
    client = SSEClient(f"{url}/api/stream?board={board['id']}&after=0")
    first = [client.next_event() for _ in range(3)]
    client.close()
    assert [e["event"] for e in first] == ["board_created", "column_created", "created"]
    assert first[2]["data"]["card_id"] == task["id"]
    requests.post(f"{url}/api/v1/boards/{board['id']}/tasks/{task['id']}/claim",
                  json={"actor_name": "bot"}, headers=headers)
    client = SSEClient(f"{url}/api/stream?board={board['id']}&after={first[-1]['id']}")
    claimed = client.next_event()
    client.close()
    assert claimed["event"] == "claimed" and claimed["data"]["card_id"] == task["id"]


def test_heartbeat_limit_warning_and_quick_shutdown(small_server):
    url = small_server.url
    board = make_board(url)
    headers = {"Authorization": f"Bearer {board['manage_key']}"}
    for i in range(8):
        requests.post(f"{url}/api/v1/boards/{board['id']}/tasks", json={"title": f"t{i}"},
                      headers=headers).raise_for_status()
    # Further behind than the replay limit (5): a warning and where to go on from.
    behind = SSEClient(f"{url}/api/v1/boards/{board['id']}/events/stream?after=0")
    warning = behind.next_event()
    assert warning["event"] == "warning"
    assert warning["data"]["gap_after"] == 0
    assert int(warning["id"]) == warning["data"]["resume_after"] > 0
    assert warning["data"]["activity"].endswith("/activity?after=0")
    # Heartbeats while nothing happens.
    live = SSEClient(f"{url}/api/stream")
    lines = [behind.response.readline() for _ in range(3)]
    assert b": heartbeat\n" in lines
    # Both slots taken: the next stream is refused, in each surface's error shape,
    # and the API still answers.
    refused = requests.get(f"{url}/api/v1/boards/{board['id']}/events/stream", timeout=5)
    assert refused.status_code == 503 and refused.json()["code"] == "TOO_MANY_STREAMS"
    refused = requests.get(f"{url}/api/stream", timeout=5)
    assert refused.status_code == 503 and refused.json()["code"] == "TOO_MANY_STREAMS"
    assert requests.get(f"{url}/api/v1/boards/{board['id']}", timeout=5).ok
    # A closed stream frees its slot.
    live.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        again = SSEClient(f"{url}/api/stream")
        if again.status == 200:
            break
        again.body()
        again.close()
        time.sleep(0.2)
    assert again.status == 200
    # A graceful stop ends the open streams at once instead of holding the worker
    # until graceful_timeout (10 s) runs out.
    started = time.monotonic()
    small_server.process.send_signal(signal.SIGTERM)
    while again.response.readline():
        pass
    assert time.monotonic() - started < 3
    again.close()
    behind.close()
    small_server.stop()
    assert small_server.process.returncode == 0


def test_bad_cursor_and_unknown_board(small_server):
    url = small_server.url
    bad = requests.get(f"{url}/api/stream?after=abc", timeout=5)
    assert bad.status_code == 422 or bad.status_code == 400
    assert bad.json()["code"]
    missing = requests.get(f"{url}/api/v1/boards/nope/events/stream", timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == "BOARD_NOT_FOUND"
