"""Operations metrics in the Prometheus text format, at /metrics (official client).

Two kinds:
- Counted in the serving processes: requests by route and status, latency,
  sweep runs, SSE streams open. Under gunicorn, gunicorn.conf.py points
  PROMETHEUS_MULTIPROC_DIR at a fresh directory before any worker starts, so each
  process writes its own file and a scrape (answered by any one worker) adds them up.
- Read from the database at scrape time: open claims, cards per column, webhook
  backlog and failures. The same in every process, so no per-process state.

Other code moves the process metrics through the objects below, e.g. the SSE
stream does `SSE_STREAMS_OPEN.inc()` when a stream starts and `.dec()` when it ends
(or `with sse_stream_open():`), and the sweep job calls `sweep_ran(name, ok)`.
"""
from __future__ import annotations

import hmac
import os
import time
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter,
                               Gauge, Histogram, generate_latest)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter("tack_http_requests", "HTTP requests answered, by route pattern, "
                   "method and status", ["route", "method", "status"])
LATENCY = Histogram("tack_http_request_duration_seconds",
                    "Time to answer (to the first byte for streams), by route pattern",
                    ["route"],
                    buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
SSE_STREAMS_OPEN = Gauge("tack_sse_streams_open", "Server-sent event streams open now",
                         multiprocess_mode="livesum")
SWEEP_RUNS = Counter("tack_sweep_runs", "Runs of the scheduled sweeps, by sweep and "
                     "outcome", ["sweep", "outcome"])
UNMATCHED = "(unmatched)"


@contextmanager
def sse_stream_open():
    """Count a stream as open for as long as the block runs."""
    SSE_STREAMS_OPEN.inc()
    try:
        yield
    finally:
        SSE_STREAMS_OPEN.dec()


def sweep_ran(sweep: str, ok: bool) -> None:
    SWEEP_RUNS.labels(sweep=sweep, outcome="ok" if ok else "failed").inc()


# ---- the per-request hook: it runs on every request, so it does as little as it can --

def _start_timer():
    g.tack_request_started = time.perf_counter()


# (route, method, status) -> its counter and histogram: labels() takes a lock and
# builds a key on every call; routes are few, so the children are looked up once.
_children: dict[tuple, tuple] = {}


def _count_request(response):
    started = g.get("tack_request_started")
    if started is not None:
        rule = request.url_rule
        key = (rule.rule if rule is not None else UNMATCHED, request.method,
               response.status_code)
        children = _children.get(key)
        if children is None:
            children = _children[key] = (
                REQUESTS.labels(key[0], key[1], str(key[2])), LATENCY.labels(key[0]))
        children[0].inc()
        children[1].observe(time.perf_counter() - started)
    return response


# ---- read from the database at scrape time ----------------------------------------------

class DatabaseCollector:
    """Gauges computed by a few GROUP BY queries when Prometheus scrapes."""

    def collect(self):
        from tack.clock import now
        from tack.models import Card, Webhook, WebhookDelivery
        from tack.services.reading import fetch
        from tack.services.webhook_delivery import owed_count
        cards = Card.__table__
        hooks, deliveries = Webhook.__table__, WebhookDelivery.__table__

        open_claims = GaugeMetricFamily("tack_open_claims", "Live (unexpired) claims",
                                        labels=["board"])
        for board, number in fetch(
            sa.select(cards.c.board_id, sa.func.count())
            .where(cards.c.claimed_by.is_not(None), cards.c.claim_expires_at > now())
            .group_by(cards.c.board_id)
        ):
            open_claims.add_metric([board], number)
        yield open_claims

        per_column = GaugeMetricFamily("tack_cards", "Cards per column (archived ones "
                                       "left out)", labels=["board", "column"])
        for board, column, number in fetch(
            sa.select(cards.c.board_id, cards.c.column_key, sa.func.count())
            .where(cards.c.archived_at.is_(None))
            .group_by(cards.c.board_id, cards.c.column_key)
        ):
            per_column.add_metric([board, column], number)
        yield per_column

        backlog = GaugeMetricFamily("tack_webhook_backlog_events", "Events an active "
                                    "webhook is owed: after its cursor, of the types its "
                                    "filter names (all types when it names none)",
                                    labels=["webhook", "board"])
        consecutive = GaugeMetricFamily("tack_webhook_consecutive_failures", "Failures "
                                        "since the hook's last success", labels=["webhook",
                                                                                "board"])
        active = fetch(sa.select(hooks.c.id, hooks.c.board_id, hooks.c.failure_count,
                                 hooks.c.last_delivered_seq, hooks.c.events)
                       .where(hooks.c.active.is_(True)).order_by(hooks.c.id))
        # One count per hook (each has its own cursor and filter), in one query.
        owed = fetch(sa.select(*[
            owed_count(hook.board_id, hook.last_delivered_seq, list(hook.events or []))
            .label(f"hook_{index}") for index, hook in enumerate(active)]))[0] \
            if active else ()
        for hook, behind in zip(active, owed):
            backlog.add_metric([hook.id, hook.board_id or ""], behind)
            consecutive.add_metric([hook.id, hook.board_id or ""], hook.failure_count or 0)
        yield backlog
        yield consecutive

        failed = GaugeMetricFamily("tack_webhook_failed_deliveries", "Failed delivery "
                                   "attempts in the delivery log, per board",
                                   labels=["board"])
        for board, number in fetch(
            sa.select(hooks.c.board_id, sa.func.count())
            .select_from(deliveries.join(hooks, hooks.c.id == deliveries.c.webhook_id))
            .where(deliveries.c.status == "failed").group_by(hooks.c.board_id)
        ):
            failed.add_metric([board], number)
        yield failed


def render_metrics() -> bytes:
    """Every process's counters (in multiprocess mode) and the database gauges."""
    if os.environ.get(MULTIPROCESS_DIR_ENV):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return generate_latest(processes) + generate_latest(database)


def metrics_view():
    """With TACK_API_KEY set the scrape needs it too (board ids are not public)."""
    key = current_app.config["TACK"].api_key
    if key:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        offered = request.headers.get("X-API-Key") or (
            token.strip() if scheme.lower() == "bearer" else "")
        if not hmac.compare_digest(offered.encode(), key.encode()):
            return Response("metrics need the API key (Authorization: Bearer)\n",
                            status=401, mimetype="text/plain")
    return Response(render_metrics(), mimetype=CONTENT_TYPE_LATEST)


def init_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_count_request)
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])


# ---- gunicorn (gunicorn.conf.py sets the directory up before this module is imported) --

def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (its SSE streams are closed now)."""
    if os.environ.get(MULTIPROCESS_DIR_ENV):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid)
