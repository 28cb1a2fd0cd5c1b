"""Clawboo claims racing a real gunicorn server (2 processes x 8 threads): 32 agents,
one winner per task, every loser a 409 conflict; on SQLite and PostgreSQL."""
import random
import threading
from collections import Counter

import pytest
import requests
from harness.server import LiveServer

pytestmark = pytest.mark.server
AGENTS = 32
TASKS = 6
API = "/clawboo/api"


@pytest.fixture
def server(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=8)
    yield live
    live.stop()


def test_thirty_two_agents_racing_get_one_winner_per_task(server):
    team = requests.post(server.url + f"{API}/teams", json={"name": "race"}).json()["team"]
    task_ids = [requests.post(server.url + f"{API}/board",
                              json={"title": f"t{i}", "teamId": team["id"]}).json()["task"]["id"]
                for i in range(TASKS)]
    start = threading.Barrier(AGENTS)
    outcomes, errors = [], []

    def agent(name):
        session = requests.Session()
        order = list(task_ids)
        random.shuffle(order)
        try:
            start.wait()
            for task_id in order:
                response = session.post(server.url + f"{API}/board/{task_id}/claim",
                                        json={"assigneeAgentId": name,
                                              "assigneeRuntime": "claude-code"}, timeout=60)
                outcomes.append((task_id, name, response.status_code, response.json()))
        except Exception as failure:  # reported below with the agent's name
            errors.append((name, repr(failure)))

    threads = [threading.Thread(target=agent, args=(f"agent-{i}",)) for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors, errors
    assert len(outcomes) == AGENTS * TASKS
    winners = {task_id: name for task_id, name, status, _ in outcomes if status == 200}
    assert Counter(task_id for task_id, _, status, _ in outcomes if status == 200) == \
        Counter({task_id: 1 for task_id in task_ids})
    losers = [body for _, _, status, body in outcomes if status != 200]
    assert len(losers) == AGENTS * TASKS - TASKS
    assert all(body == {"ok": False, "error": "conflict", "message": body["message"]}
               for body in losers)
    for task_id, name in winners.items():
        task = requests.get(server.url + f"{API}/board/{task_id}").json()["task"]
        assert (task["status"], task["assigneeAgentId"]) == ("in_progress", name)


def test_racing_moves_are_checked_against_the_committed_status(server):
    """in_progress -> done and in_progress -> todo racing: whichever lands first
    decides, and the table then refuses the other (done is terminal; todo -> done is
    illegal); the same move again is a no-op. Checking a stale status would let
    both kinds through."""
    team = requests.post(server.url + f"{API}/teams", json={"name": "moves"}).json()["team"]
    for round_number in range(4):
        task = requests.post(server.url + f"{API}/board", json={
            "title": f"r{round_number}", "teamId": team["id"],
            "status": "in_progress"}).json()["task"]
        start = threading.Barrier(16)
        results = []

        def mover(target):
            session = requests.Session()
            start.wait()
            response = session.patch(server.url + f"{API}/board/{task['id']}",
                                     json={"status": target}, timeout=60)
            results.append((target, response.status_code))

        threads = [threading.Thread(target=mover, args=("done" if i % 2 else "todo",))
                   for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert all(status in (200, 409) for _, status in results), results
        final = requests.get(server.url + f"{API}/board/{task['id']}").json()["task"]["status"]
        # The first move decides; the same move again is a no-op, the other illegal.
        loser = "todo" if final == "done" else "done"
        assert sorted(results) == sorted([(final, 200)] * 8 + [(loser, 409)] * 8)
