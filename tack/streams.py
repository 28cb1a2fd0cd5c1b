"""Live streams (Server-Sent Events) read from the event log.

Design (see docs/operations.md "Live streams"): under gunicorn's gthread workers an
open stream holds a thread for its whole life. So
- each process serves at most `TACK_STREAMS_MAX` streams; one more gets 503
  TOO_MANY_STREAMS. gunicorn is given that many threads on top of TACK_THREADS, so
  open streams never take a thread the API needs;
- one feed thread per process reads the log every `TACK_STREAM_POLL_SECONDS` (one
  indexed query, whatever the number of streams), renders each new event once, and
  keeps the newest ones in memory. Stream threads sleep on a condition until the
  feed has something, then write the events; streams in the same place share one
  rendered chunk. An idle stream costs no CPU but a heartbeat every 15 s;
- the log, not memory, is the truth: every event's `id:` is its seq, and a client
  resuming (Last-Event-ID or ?after=) further back than the memory holds is served
  from the database. Writes in other processes are seen the same way. One further
  behind than `TACK_STREAM_REPLAY_MAX` events gets a `warning` event saying where
  its gap starts and where the stream resumes;
- on shutdown (gunicorn's worker stops being alive) every stream ends within one
  poll, so a graceful stop does not wait for clients to leave.
"""
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from flask import Flask, Response, current_app, request

from tack.errors import TackError
from tack.extensions import db
from tack.kanban.translate import contract_event_type, contract_payload, event_title
from tack.models import Card, Event, Note
from tack.services.card_json import event_view
from tack.metrics import SSE_STREAMS_OPEN

EVENTS = Event.__table__
PAGE = 500
BUFFER_EVENTS = 2048
RECONNECT_MS = 2000
SEND_TIMEOUT_SECONDS = 60

NATIVE = "native"      # /api/stream: every action, Tack's event shape
CONTRACT = "contract"  # /api/v1/.../events/stream: the contract's task.* events


class TooManyStreams(TackError, status=503, code="TOO_MANY_STREAMS"):
    """Every stream slot of this server is taken."""


@dataclass(frozen=True)
class Rendered:
    seq: int
    board_id: str
    native: bytes
    contract: bytes  # b"" when the action has no contract event


def sse(seq: int, event: str, data: dict) -> bytes:
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (seq, event.encode(), orjson.dumps(data))


def render(rows) -> list[Rendered]:
    """Each event once, for both kinds of stream (two queries for the whole batch:
    comments' notes and cards' titles)."""
    note_ids = {row.note_id for row in rows if row.note_id}
    card_ids = {row.card_id for row in rows if row.card_id}
    with db.engine.connect() as connection:
        notes = {n.id: n for n in connection.execute(
            sa.select(Note.__table__).where(Note.id.in_(note_ids)))} if note_ids else {}
        titles = dict(connection.execute(
            sa.select(Card.id, Card.title).where(Card.id.in_(card_ids))).all()) \
            if card_ids else {}
    out = []
    for row in rows:
        native = dict(event_view(row), board_id=row.board_id)
        contract = b""
        if row.card_id and contract_event_type(row.action):
            payload = contract_payload(row, notes.get(row.note_id), event_title(row, titles))
            contract = sse(row.seq, payload["event"], payload)
        out.append(Rendered(row.seq, row.board_id, sse(row.seq, row.action, native), contract))
    return out


def read_log(after: int, limit: int, board_id: str | None = None):
    query = sa.select(EVENTS).where(EVENTS.c.seq > after)
    if board_id is not None:
        query = query.where(EVENTS.c.board_id == board_id)
    with db.engine.connect() as connection:
        return connection.execute(query.order_by(EVENTS.c.seq).limit(limit)).all()


def newest_seq() -> int:
    with db.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.max(EVENTS.c.seq))).scalar() or 0


def seq_beyond(after: int, count: int, board_id: str | None) -> int | None:
    """The seq `count` events after `after` (on the board), or None when fewer."""
    query = sa.select(EVENTS.c.seq).where(EVENTS.c.seq > after)
    if board_id is not None:
        query = query.where(EVENTS.c.board_id == board_id)
    with db.engine.connect() as connection:
        return connection.execute(
            query.order_by(EVENTS.c.seq).offset(count).limit(1)).scalar()


class Feed:
    """The process's one reader of the log for its open streams."""

    def __init__(self, app: Flask):
        self.app = app
        settings = app.config["TACK"]
        self.poll_seconds = settings.stream_poll_seconds
        self.slots = threading.BoundedSemaphore(settings.streams_max)
        self.condition = threading.Condition()
        self.buffer: deque[Rendered] = deque()
        self.floor = 0    # the buffer holds every event with floor < seq <= cursor
        self.cursor = 0
        self.open = 0
        self.closing = False
        self.alive = lambda: True  # gunicorn's worker.alive, once the worker says
        self.chunks: dict = {}    # (kind, board, from) -> (chunk, to), for this cursor
        self.thread: threading.Thread | None = None

    # --- streams come and go
    def enter(self) -> None:
        if self.closing or not self.slots.acquire(blocking=False):
            raise TooManyStreams("Too many open streams on this server; retry shortly "
                                 "(each process serves at most TACK_STREAMS_MAX)")
        with self.condition:
            if self.open == 0:
                # Idle until now: start from the end of the log, not from stale memory.
                self.buffer.clear()
                self.chunks.clear()
                self.floor = self.cursor = newest_seq()
            self.open += 1
            SSE_STREAMS_OPEN.inc()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="tack-stream-feed",
                                               daemon=True)
                self.thread.start()

    def leave(self) -> None:
        with self.condition:
            self.open -= 1
            SSE_STREAMS_OPEN.dec()
        self.slots.release()

    def close(self) -> None:
        """End every stream (at shutdown)."""
        with self.condition:
            self.closing = True
            self.condition.notify_all()

    # --- the feed thread
    def _run(self) -> None:
        with self.app.app_context():
            while True:
                with self.condition:
                    if not self.alive():
                        self.closing = True
                    if self.closing or self.open == 0:
                        self.condition.notify_all()
                        self.thread = None
                        return
                    cursor = self.cursor
                try:
                    rows = read_log(cursor, PAGE)
                    fresh = render(rows) if rows else []
                except Exception:
                    current_app.logger.exception("stream feed: reading the log failed")
                    fresh = []
                finally:
                    db.session.remove()
                with self.condition:
                    if fresh:
                        self.buffer.extend(fresh)
                        while len(self.buffer) > BUFFER_EVENTS:
                            self.floor = self.buffer.popleft().seq
                        self.cursor = fresh[-1].seq
                        self.chunks.clear()
                        self.condition.notify_all()
                if len(fresh) < PAGE:
                    time.sleep(self.poll_seconds)

    # --- what a stream reads
    def from_memory(self, kind: str, board_id: str | None, after: int):
        """(chunk, new cursor) from memory, or None when memory does not reach back
        to `after`. Streams at the same place share one chunk."""
        with self.condition:
            if after < self.floor:
                return None
            if after >= self.cursor:
                return b"", after
            key = (kind, board_id, after)
            found = self.chunks.get(key)
            if found is None:
                parts = [getattr(item, kind) for item in self.buffer
                         if item.seq > after and (board_id is None or item.board_id == board_id)]
                found = self.chunks[key] = (b"".join(parts), self.cursor)
            return found

    def wait(self, after: int, seconds: float) -> None:
        with self.condition:
            if self.cursor <= after and not self.closing:
                self.condition.wait(seconds)


_feeds: dict[int, Feed] = {}
_feeds_lock = threading.Lock()


def feed_of(app: Flask) -> Feed:
    with _feeds_lock:
        feed = _feeds.get(id(app))
        if feed is None:
            feed = _feeds[id(app)] = Feed(app)
        return feed


def stop_feed(app: Flask, seconds: float = 5) -> None:
    """End the app's streams and wait for its feed thread, so nothing reads the log
    after the app's engine is disposed (an app torn down in a process that goes on)."""
    with _feeds_lock:
        feed = _feeds.pop(id(app), None)
    if feed is None:
        return
    feed.close()
    thread = feed.thread
    if thread is not None:
        thread.join(seconds)


def watch_worker(app: Flask, worker) -> None:
    """Streams end once gunicorn's worker stops (graceful stop, SIGTERM)."""
    feed_of(app).alive = lambda: worker.alive


def parse_cursor(last_event_id: str | None, after) -> int | None:
    """Last-Event-ID wins over ?after= (a browser's EventSource resends it itself)."""
    from tack.errors import Invalid
    for raw in (last_event_id, after):
        if raw is None or str(raw).strip() == "":
            continue
        raw = str(raw).strip()
        if not raw.isdigit() or len(raw) > 18:
            raise Invalid("Last-Event-ID and after must be an event seq (a whole number "
                          "0 or above)", "INVALID_INPUT")
        return int(raw)
    return None


SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def stream_response(kind: str, board_id: str | None, cursor: str, gap_link) -> Response:
    """The view's whole answer: the stream from the request's Last-Event-ID (or
    ?after=). A client that falls too far behind is told to read the gap from the
    `cursor` log (its `changes` or `activity` call): `gap_link(gap_after)` is where."""
    after = parse_cursor(request.headers.get("Last-Event-ID"), request.args.get("after"))

    def warning(gap_after: int, resume_after: int) -> dict:
        return {"message": "Events were dropped: this client fell too far behind. Read "
                           f"the gap from the {cursor} cursor; the stream goes on after "
                           "resume_after.",
                "gap_after": gap_after, "resume_after": resume_after,
                cursor: gap_link(gap_after)}

    return Response(open_stream(kind, board_id, after, warning),
                    mimetype="text/event-stream", headers=SSE_HEADERS)


def open_stream(kind: str, board_id: str | None, after: int | None, warning_for):
    """The stream's body (an iterator of bytes). Takes a slot now, so a full server
    answers 503 before any byte is sent; `warning_for(gap_after, resume_after)` is
    the warning event's data."""
    app = current_app._get_current_object()
    settings = app.config["TACK"]
    feed = feed_of(app)
    feed.enter()
    sock = request.environ.get("gunicorn.socket")
    _bound_writes(sock)
    try:
        start = newest_seq() if after is None else after
    except BaseException:
        feed.leave()
        raise
    return StreamBody(feed, _events(app, feed, kind, board_id, start, settings,
                                    warning_for, sock))


class StreamBody:
    """The response body: gives the slot back exactly once, also when the server
    closes the body before reading from it (a generator that never started would
    not run its `finally`)."""

    def __init__(self, feed: Feed, events):
        self.feed, self.events, self.done = feed, events, False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        return next(self.events)

    def close(self) -> None:
        self.events.close()
        if not self.done:
            self.done = True
            self.feed.leave()


def _bound_writes(sock) -> None:
    """A client that stops reading would block its stream's write, and so hold a
    thread and a slot, for ever: give up on it after SEND_TIMEOUT_SECONDS."""
    if sock is not None:
        try:
            sock.settimeout(SEND_TIMEOUT_SECONDS)
        except OSError:
            pass  # already closed: the first write ends the stream


def client_gone(sock) -> bool:
    """Whether the client hung up. Without this, a stream with nothing to send would
    hold its slot until the next heartbeat found the connection closed."""
    if sock is None:
        return False
    try:
        poller = select.poll()  # not select(): no limit on the descriptor's number
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0)) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _events(app, feed: Feed, kind, board_id, cursor, settings, warning_for, sock):
    heartbeat = settings.stream_heartbeat_seconds
    yield b"retry: %d\n\n" % RECONNECT_MS
    last_write = last_check = time.monotonic()
    behind_checked = False
    while not feed.closing:
        found = feed.from_memory(kind, board_id, cursor)
        if found is None:
            with app.app_context():
                try:
                    chunk, cursor, behind_checked = _from_log(
                        kind, board_id, cursor, settings.stream_replay_max,
                        behind_checked, warning_for)
                finally:
                    db.session.remove()
        else:
            chunk, cursor = found
            behind_checked = False
        if chunk:
            yield chunk
            last_write = time.monotonic()
            continue
        if time.monotonic() - last_check >= 1:  # a syscall: at most once a second
            if client_gone(sock):
                return
            last_check = time.monotonic()
        idle = time.monotonic() - last_write
        if idle >= heartbeat:
            yield b": heartbeat\n\n"
            last_write = time.monotonic()
            continue
        feed.wait(cursor, min(heartbeat - idle, 1.0))


def _from_log(kind, board_id, cursor, replay_max, behind_checked, warning_for):
    """A page of what memory no longer holds, from the database."""
    if not behind_checked:
        newest = newest_seq()
        if seq_beyond(cursor, replay_max, board_id) is not None:
            data = warning_for(cursor, newest)
            return sse(newest, "warning", data), newest, True
    top = newest_seq()  # read before the page: nothing at or below it commits later
    rows = read_log(cursor, PAGE, board_id)
    chunk = b"".join(getattr(item, kind) for item in render(rows)) if rows else b""
    if len(rows) < PAGE:
        return chunk, max(top, rows[-1].seq if rows else cursor), True
    return chunk, rows[-1].seq, True
