"""Agents draining claim-next on a real server (2 processes) never get a card whose
blocker is unfinished, on SQLite and PostgreSQL."""
import threading
from collections import Counter

import pytest
import requests
from harness.server import LiveServer

pytestmark = pytest.mark.server
AGENTS = 12
PAIRS = 10


@pytest.fixture
def server(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=6)
    yield live
    live.stop()


def drain_in_parallel(url: str) -> list[str]:
    """Every card claim-next hands out while AGENTS threads race for them."""
    start = threading.Barrier(AGENTS)
    taken, errors = [], []

    def drain(agent):
        session = requests.Session()
        try:
            start.wait()
            while True:
                response = session.post(url + "/api/cards/claim-next",
                                        json={"agent": agent, "ttl_seconds": 600})
                if response.status_code == 204:
                    return
                assert response.status_code == 200, response.text
                taken.append(response.json()["id"])
        except Exception as failure:  # reported below
            errors.append(repr(failure))

    threads = [threading.Thread(target=drain, args=(f"agent-{i}",)) for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return taken


def test_racing_agents_never_get_a_blocked_card(server):
    def create(title, priority):
        response = requests.post(server.url + "/api/cards",
                                 json={"title": title, "priority": priority})
        return response.json()["id"]

    blockers = [create(f"first {i}", "low") for i in range(PAIRS)]
    # The blocked cards outrank their blockers: only the dependency holds them back.
    blocked = [create(f"then {i}", "critical") for i in range(PAIRS)]
    for blocker, waiting in zip(blockers, blocked):
        made = requests.post(f"{server.url}/api/cards/{waiting}/dependencies",
                             json={"blocker_id": blocker})
        assert made.status_code == 201, made.text

    first_round = drain_in_parallel(server.url)
    assert Counter(first_round) == Counter(blockers)

    for blocker in blockers:
        requests.post(f"{server.url}/api/cards/{blocker}/complete", json={"note": "ok"})
    second_round = drain_in_parallel(server.url)
    assert Counter(second_round) == Counter(blocked)
