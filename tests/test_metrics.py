"""/metrics: Prometheus text that the official parser reads, counters that move when
the API is used, gauges read from the database, and sums across gunicorn workers."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers import make_card
from harness.server import LiveServer
from prometheus_client.parser import text_string_to_metric_families

from tack import metrics
from tack.extensions import db
from tack.models import Webhook, WebhookDelivery


def scrape(client_or_text) -> dict:
    """{(sample name, sorted labels): value} from one scrape."""
    text = client_or_text if isinstance(client_or_text, str) else \
        client_or_text.get("/metrics").get_data(as_text=True)
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_metrics_parse_and_request_counters_move_when_the_api_is_used(client):
    before = scrape(client)
    make_card(client)
    make_card(client)
    client.get("/api/cards/card-00000000")
    after = scrape(client)
    created = dict(name="tack_http_requests_total", route="/api/cards", method="POST",
                   status="201")
    assert value(after, **created) - value(before, **created) == 2
    missing = dict(name="tack_http_requests_total", route="/api/cards/<card_id>",
                   method="GET", status="404")
    assert value(after, **missing) - value(before, **missing) == 1
    count = dict(name="tack_http_request_duration_seconds_count", route="/api/cards")
    assert value(after, **count) - value(before, **count) == 2


def test_unknown_paths_share_one_route_label(client):
    before = scrape(client)
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    labels = dict(name="tack_http_requests_total", route="(unmatched)", method="GET",
                  status="404")
    assert value(scrape(client), **labels) - value(before, **labels) == 2


def test_open_claims_and_cards_per_column_come_from_the_database(client, frozen):
    first, second, _ = (make_card(client) for _ in range(3))
    client.post(f"/api/cards/{first}/claim", json={"agent": "a1", "ttl_seconds": 60})
    client.post(f"/api/cards/{second}/claim", json={"agent": "a2", "ttl_seconds": 600})
    client.post(f"/api/cards/{second}/move", json={"column_name": "in_progress"})
    samples = scrape(client)
    assert value(samples, "tack_open_claims", board="main") == 2
    assert value(samples, "tack_cards", board="main", column="inbox") == 2
    assert value(samples, "tack_cards", board="main", column="in_progress") == 1
    frozen.advance(seconds=61)  # the first claim has expired: no longer open
    assert value(scrape(client), "tack_open_claims", board="main") == 1


def test_webhook_backlog_and_failures(app, client, frozen):
    make_card(client)
    with app.app_context():
        db.session.add(Webhook(id="hook-1", board_id="main", url="https://example.com/h",
                               secret_encrypted="x", events=[], failure_count=3,
                               last_delivered_seq=0))
        db.session.add(WebhookDelivery(webhook_id="hook-1", delivery_id="d1", event_seq=1,
                                       event_type="created", status="failed"))
        db.session.commit()
    make_card(client)
    samples = scrape(client)
    assert value(samples, "tack_webhook_backlog_events", webhook="hook-1", board="main") == 2
    assert value(samples, "tack_webhook_consecutive_failures", webhook="hook-1",
                 board="main") == 3
    assert value(samples, "tack_webhook_failed_deliveries", board="main") == 1


def test_sweep_runs_and_sse_streams(app, client):
    from tack.jobs import run_sweeps
    before = scrape(client)
    ran = run_sweeps(app)
    with metrics.sse_stream_open():
        during = scrape(client)
    def sweeps_ok(samples):
        return sum(number for (name, labels), number in samples.items()
                   if name == "tack_sweep_runs_total" and ("outcome", "ok") in labels)
    assert sweeps_ok(during) - sweeps_ok(before) == len(ran) > 0
    assert value(during, "tack_sse_streams_open") - value(before, "tack_sse_streams_open") == 1
    assert value(scrape(client), "tack_sse_streams_open") == value(before, "tack_sse_streams_open")


@pytest.mark.parametrize("config_overrides", [{"api_key": "admin-key"}])
def test_with_an_api_key_the_scrape_needs_it(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer admin-key"})
    assert ok.status_code == 200 and "tack_http_requests_total" in ok.get_data(as_text=True)


@pytest.mark.server
def test_counts_from_every_gunicorn_worker_add_up(app, database, tmp_path):
    url, sqlite_path = database
    live = LiveServer(url, sqlite_path, workers=2, threads=4,
                      extra_env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    try:
        # Which worker accepts a connection is the kernel's choice: one worker may take
        # a whole sequential run. Send concurrent rounds until both have counted some
        # (each worker writes its own counter file on its first count).
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(list(tmp_path.glob("counter_*.db"))) < 2 and sent < 800:
                statuses = list(pool.map(
                    lambda _: requests.get(live.url + "/api/cards", timeout=10).status_code,
                    range(16)))
                assert statuses == [200] * 16
                sent += 16
        assert len(list(tmp_path.glob("counter_*.db"))) == 2, "one worker took every request"
        # Each scrape is answered by one worker; every one must count all that were sent.
        for _ in range(4):
            samples = scrape(requests.get(live.url + "/metrics", timeout=10).text)
            assert value(samples, "tack_http_requests_total", route="/api/cards",
                         method="GET", status="200") == sent
    finally:
        live.stop()


def test_webhook_backlog_counts_only_what_each_hook_would_be_sent(app, client):
    """A hook filtered to comments is owed only the note events; one without a
    filter is owed every card event. After delivery passes both backlogs are 0 and
    each receiver got exactly what its backlog said."""
    from webhook_receiver import Receiver

    from tack.services import webhook_delivery, webhooks
    comments, everything = Receiver(), Receiver()
    try:
        with app.app_context():
            notes_hook = webhooks.create_webhook(board_id="main", url=comments.url,
                                                 events=["task.comment"],
                                                 app_secret=app.config["SECRET_KEY"],
                                                 allow_private=True)["id"]
            all_hook = webhooks.create_webhook(board_id="main", url=everything.url,
                                               app_secret=app.config["SECRET_KEY"],
                                               allow_private=True)["id"]
        card = make_card(client)
        client.post(f"/api/cards/{card}/notes", json={"author": "ann", "content": "one"})
        client.post(f"/api/cards/{card}/claim", json={"agent": "bot"})
        client.post(f"/api/cards/{card}/notes", json={"author": "bot", "content": "two"})
        client.post(f"/api/cards/{card}/move", json={"column_name": "in_progress"})
        samples = scrape(client)
        assert value(samples, "tack_webhook_backlog_events", webhook=notes_hook,
                     board="main") == 2
        assert value(samples, "tack_webhook_backlog_events", webhook=all_hook,
                     board="main") == 5  # created, two notes, claimed, moved
        with app.app_context():
            while webhook_delivery.deliver_due(app_secret=app.config["SECRET_KEY"],
                                               allow_private=True, owner="metrics-test",
                                               timeout=2.0):
                pass
        assert len(comments.received) == 2 and len(everything.received) == 5
        samples = scrape(client)
        for hook in (notes_hook, all_hook):
            assert value(samples, "tack_webhook_backlog_events", webhook=hook,
                         board="main") == 0
    finally:
        comments.stop()
        everything.stop()
