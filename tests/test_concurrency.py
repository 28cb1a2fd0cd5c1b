"""Agents racing a real gunicorn server (2 processes x 8 threads): exactly one
winner per card, every time, on SQLite and PostgreSQL."""
import threading
from collections import Counter

import pytest
import requests

from harness.server import LiveServer

pytestmark = pytest.mark.server
AGENTS = 16


@pytest.fixture
def server(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=8)
    yield live
    live.stop()


def race(worker, agents=AGENTS):
    """Run worker(agent_name, session) in `agents` threads released at once."""
    start = threading.Barrier(agents)
    results, errors = {}, []

    def run(name):
        session = requests.Session()
        try:
            start.wait()
            results[name] = worker(name, session)
        except Exception as failure:  # reported below, with the agent's name
            errors.append((name, repr(failure)))

    threads = [threading.Thread(target=run, args=(f"agent-{i}",)) for i in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return results


def test_sixteen_agents_racing_for_each_card_get_one_winner(server):
    card_ids = [requests.post(server.url + "/api/cards", json={"title": f"c{i}"}).json()["id"]
                for i in range(12)]

    def claim_everything(agent, session):
        outcomes = {}
        for card_id in card_ids:
            response = session.post(f"{server.url}/api/cards/{card_id}/claim",
                                    json={"agent": agent, "ttl_seconds": 600})
            outcomes[card_id] = response.status_code
        return outcomes

    results = race(claim_everything)
    for card_id in card_ids:
        codes = Counter(outcome[card_id] for outcome in results.values())
        assert codes == {200: 1, 409: AGENTS - 1}, (card_id, codes)
        winner = [agent for agent, outcome in results.items() if outcome[card_id] == 200][0]
        holder = requests.get(f"{server.url}/api/cards/{card_id}").json()["claimed_by"]
        assert holder == winner


def test_claim_next_hands_each_card_to_exactly_one_agent(server):
    pool = 48
    requests.post(server.url + "/api/batch",
                  json=[{"action": "create", "title": f"job {i}"} for i in range(pool)])

    def drain(agent, session):
        taken = []
        while True:
            response = session.post(server.url + "/api/cards/claim-next",
                                    json={"agent": agent, "ttl_seconds": 600})
            if response.status_code == 204:
                return taken
            assert response.status_code == 200, response.text
            assert response.json()["claimed_by"] == agent
            taken.append(response.json()["id"])

    results = race(drain)
    taken = [card_id for cards in results.values() for card_id in cards]
    assert len(taken) == pool and len(set(taken)) == pool
    board = requests.get(server.url + "/api/cards").json()
    holders = {card["id"]: card["claimed_by"] for card in board}
    for agent, cards in results.items():
        assert all(holders[card_id] == agent for card_id in cards)


def test_a_poller_following_the_cursor_misses_no_event_while_writers_race(server):
    """Events must become visible in seq order, or a poller that has passed a seq
    whose transaction committed late would skip it for ever."""
    stop = threading.Event()
    seen: list[int] = []

    def poll():
        session, cursor = requests.Session(), 0
        while True:
            finished = stop.is_set()
            body = session.get(f"{server.url}/api/changes?after={cursor}&limit=1000").json()
            seen.extend(change["seq"] for change in body["changes"])
            cursor = body["cursor"]
            if finished and not body["changes"]:
                return

    poller = threading.Thread(target=poll)
    poller.start()

    def write(agent, session):
        for i in range(25):
            card = session.post(server.url + "/api/cards", json={"title": f"{agent} {i}"})
            session.post(f"{server.url}/api/cards/{card.json()['id']}/notes",
                         json={"author": agent, "content": "n"})

    race(write)
    stop.set()
    poller.join(60)
    every = []
    cursor = 0
    while True:
        body = requests.get(f"{server.url}/api/changes?after={cursor}&limit=1000").json()
        if not body["changes"]:
            break
        every.extend(change["seq"] for change in body["changes"])
        cursor = body["cursor"]
    assert len(every) == AGENTS * 25 * 2
    assert seen == every
