"""Board-creation limits kept in Redis (TACK_REDIS_URL) are shared by every process
serving the board. Runs when TACK_TEST_REDIS_URL names a Redis server."""
import os
import secrets

import pytest
from conftest import make_config
from kanban_helpers import assert_error

from tack import create_app
from tack.extensions import db

REDIS_URL = os.environ.get("TACK_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="TACK_TEST_REDIS_URL is not set")
def test_two_apps_share_the_board_creation_count_through_redis(database):
    url, sqlite_path = database
    settings = dict(redis_url=REDIS_URL, board_rate_limit="2/hour")
    first_app = create_app(make_config(url, sqlite_path, **settings))
    first = first_app.test_client()
    # An address no other run uses, so counts left in Redis by earlier runs don't matter.
    address = {"REMOTE_ADDR": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}."
                              f"{secrets.randbelow(250)}"}
    for _ in range(2):
        assert first.post("/api/v1/boards", json={"name": "x"},
                          environ_base=address).status_code == 201
    # A second app (as another process would) starts with its own limiter storage:
    # only a count kept in Redis can refuse this request.
    second_app = create_app(make_config(url, sqlite_path, **settings))
    refused = second_app.test_client().post("/api/v1/boards", json={"name": "x"},
                                            environ_base=address)
    for each in (first_app, second_app):
        with each.app_context():
            db.engine.dispose()  # else their pooled connections close at garbage collection
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")


def test_limiter_storage_follows_the_redis_setting():
    assert make_config("sqlite://", "x.db").flask_settings()["RATELIMIT_STORAGE_URI"] == \
        "memory://"
    assert make_config("sqlite://", "x.db", redis_url="redis://127.0.0.1:6379/0") \
        .flask_settings()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
