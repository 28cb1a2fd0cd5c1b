"""Short forms of harness/torture.py and harness/crash.py, on the suite's database."""
import pytest

from harness import crash, torture
from harness.server import LiveServer

pytestmark = pytest.mark.server


@pytest.fixture
def server(app, database):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2)
    yield live
    live.stop()


def test_agents_in_several_processes_each_finish_every_card_once(server):
    findings = torture.run(server.url, processes=3, threads=8, cards=120)
    assert findings["problems"] == []
    assert findings["claims"] == 120


def test_the_torture_check_catches_a_card_handed_out_twice(server):
    pool = torture.create_pool(server.url, 1)
    twice = [{"card": pool[0], "agent": "a", "note": "x", "noted": False},
             {"card": pool[0], "agent": "b", "note": "y", "noted": False}]
    problems = torture.check(server.url, pool, twice, [])["problems"]
    assert any("handed out twice" in problem for problem in problems)
    assert any("not completed exactly once" in problem for problem in problems)


def test_every_acknowledged_write_survives_kill_9(app, database):
    url, sqlite_path = database
    findings = crash.run(url, sqlite_path, seconds=1.5, writers=6)
    assert findings["acknowledged_writes"] > 0
    assert findings["problems"] == []
