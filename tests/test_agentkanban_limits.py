"""Each access key is rate limited: 429 rate_limited with Retry-After, in memory for
one process and shared through Redis (TACK_REDIS_URL) by several."""
import os

import pytest
import requests
from agentkanban_helpers import EXT, assert_ext_error, bearer, make_key
from harness.server import LiveServer

REDIS_URL = os.environ.get("TACK_TEST_REDIS_URL", "")


@pytest.fixture
def config_overrides():
    return {"ext_rate_limit": "3/minute"}


def test_a_key_past_its_limit_gets_429_with_retry_after(app, client):
    key, other = make_key(app, all_boards=True), make_key(app, all_boards=True)
    for _ in range(3):
        assert client.get(EXT + "/boards", headers=bearer(key)).status_code == 200
    limited = client.get(EXT + "/boards", headers=bearer(key))
    assert_ext_error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # The limit is the key's own: another key still gets through.
    assert client.get(EXT + "/boards", headers=bearer(other)).status_code == 200


@pytest.mark.server
@pytest.mark.skipif(not REDIS_URL, reason="TACK_TEST_REDIS_URL is not set")
def test_two_server_processes_share_a_keys_limit_through_redis(app, database):
    url, sqlite_path = database
    key = make_key(app, all_boards=True)  # a new key id: earlier runs' counts don't apply
    settings = {"TACK_REDIS_URL": REDIS_URL, "TACK_EXT_RATE_LIMIT": "4/minute"}
    first = LiveServer(url, sqlite_path, extra_env=settings)
    second = LiveServer(url, sqlite_path, extra_env=settings)
    try:
        for server in (first, second, first, second):
            assert requests.get(server.url + EXT + "/boards", headers=bearer(key),
                                timeout=30).status_code == 200
        # Each process has served only two: only a count kept in Redis refuses this.
        limited = requests.get(second.url + EXT + "/boards", headers=bearer(key), timeout=30)
        assert limited.status_code == 429
        assert limited.json() == {"error": {"code": "rate_limited",
                                            "message": "Rate limit exceeded. Try again later."}}
        assert int(limited.headers["Retry-After"]) >= 1
    finally:
        first.stop()
        second.stop()
