"""Read answers cached by the event log's last seq. The log is append-only and every
change writes an event in its own transaction, so a new seq is the only way data can
change: the cache invalidates itself, in every process, with one cheap query. What
the clock alone changes (a claim expiring, a done card ageing off the board) is each
snapshot's `valid_until`."""
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import orjson
import sqlalchemy as sa
from flask import Response

from tack.api import compression
from tack.api.responses import with_etag
from tack.clock import now
from tack.errors import NotFound
from tack.models import Card
from tack.services.cards import read_card
from tack.services.events import last_seq_anywhere
from tack.services.reading import cards_with_ids, fetch, fetch_one
from tack.services.card_json import card_view, claim_is_active, sparse

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Snapshot:
    seq: int
    valid_until: datetime
    etag: str
    body: bytes
    gzipped: bytes | None = None  # made on the first read that accepts gzip

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class SnapshotCache:
    """Bounded by entries and by bytes: a full cache starts again, which is cheaper
    than LRU bookkeeping and keeps varied queries from growing memory without end."""

    MAX_ENTRIES = 4096
    MAX_BYTES = 64 * 1024 * 1024

    def __init__(self):
        self._entries: dict[tuple, Snapshot] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, seq: int, at: datetime) -> Snapshot | None:
        hit = self._entries.get(key)
        if hit and hit.seq == seq and at < hit.valid_until:
            return hit
        return None

    def put(self, key: tuple, snapshot: Snapshot) -> None:
        size = snapshot.size
        if size > self.MAX_BYTES // 4:
            return  # an answer this large is not worth a quarter of the cache
        with self._lock:
            if (len(self._entries) >= self.MAX_ENTRIES
                    or self._bytes + size > self.MAX_BYTES):
                self._entries.clear()
                self._bytes = 0
            previous = self._entries.get(key)
            if previous is not None:
                self._bytes -= previous.size
            self._entries[key] = snapshot
            self._bytes += size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


snapshots = SnapshotCache()


def cached_read(key: tuple, build: Callable, pass_seq: bool = False) -> Response:
    """The answer for `key`: from the cache while nothing happened since, else
    build(at) -> (JSON body, valid_until) (build(seq, at) with `pass_seq`). A builder
    that keeps its answer in pieces also hands back the body gzipped (and the ETag
    is then the digest of that, seven times smaller than the body). With ETag; a
    matching If-None-Match gets 304."""
    at = now()
    # Read seq before building: a snapshot is then never older than its key.
    seq = last_seq_anywhere()
    snapshot = snapshots.get(key, seq, at)
    lock = _BUILD_LOCKS[hash(key) % len(_BUILD_LOCKS)]
    if snapshot is None:
        # One builder per key at a time: readers arriving meanwhile wait and take its
        # answer, instead of every thread building the same big board at once.
        with lock:
            seq = max(seq, last_seq_anywhere())
            snapshot = snapshots.get(key, seq, at)
            if snapshot is None:
                body, valid_until, *compressed = build(seq, at) if pass_seq else build(at)
                compressed = compressed[0] if compressed else None
                etag = hashlib.blake2b(compressed or body, digest_size=12).hexdigest()
                snapshot = Snapshot(seq=seq, valid_until=valid_until, etag=etag, body=body,
                                    gzipped=compressed)
                snapshots.put(key, snapshot)
    if not compression.accepts_gzip():
        return with_etag(snapshot.body, snapshot.etag)
    if snapshot.gzipped is None and len(snapshot.body) >= compression.MIN_SIZE:
        with lock:
            current = snapshots.get(key, snapshot.seq, at)
            if current is not None and current.gzipped is not None:
                snapshot = current
            else:
                snapshot = replace(snapshot, gzipped=compression.gzipped(snapshot.body))
                if current is not None:  # not if a newer answer replaced it meanwhile
                    snapshots.put(key, snapshot)
    return with_etag(snapshot.body, snapshot.etag, gzipped=snapshot.gzipped)


_BUILD_LOCKS = [threading.Lock() for _ in range(64)]


@dataclass(frozen=True)
class Fragment:
    """One card's JSON for one `fields` choice, as of event `seq`. `column_key` and
    `position` are kept to check against the list being assembled: a move renumbers
    its neighbours without an event of their own."""
    card_id: str
    seq: int
    column_key: str
    position: int
    claim_until: datetime
    updated_at: datetime
    body: bytes


CHANGED_CARDS = sa.text(
    "SELECT card_id, seq FROM events WHERE seq > :after AND seq <= :upto AND card_id IS NOT NULL"
)


class CardFragments:
    """Each card's JSON, serialised once and reused until the card changes, so a list
    or the board after a write costs a query for (id, column, position) in order plus
    the few cards that changed, not a rebuild of every card.

    A card changes only with an event naming it, so the event log since the last look
    says which fragments are stale: the work is the events since then, never the
    board. Each process follows the log on its own; a fragment built from rows read
    after seq S is good while no event after S names its card. (Like the snapshots,
    it assumes the log only grows: a database swapped under a running server needs
    a restart, and the tests clear both caches when they wipe the tables.)"""

    MAX_FRAGMENTS = 200_000
    MAX_CHANGED = 200_000
    # Further behind than this, starting again is cheaper than reading the log.
    MAX_EVENTS_PER_SYNC = 5_000

    def __init__(self):
        self._fragments: dict[tuple, Fragment] = {}
        self._changed: dict[str, int] = {}  # card id -> seq of its newest event seen
        self._synced: int | None = None
        self._floor = 0  # fragments from before a restart of the bookkeeping are stale
        self._lock = threading.Lock()

    def sync(self, seq: int) -> None:
        """Learn which cards changed up to event `seq` (read before any card row)."""
        if self._synced is not None and seq <= self._synced:
            return  # known already (a reader that read seq earlier builds as of it)
        with self._lock:
            synced = self._synced
            if synced is not None and seq <= synced:
                return
            # First use, or too far behind: forget everything up to here.
            if (synced is None or seq - synced > self.MAX_EVENTS_PER_SYNC
                    or len(self._changed) > self.MAX_CHANGED):
                self._fragments.clear()
                self._changed.clear()
                self._floor = seq
                self._synced = seq
                return
            for card_id, changed_seq in fetch(CHANGED_CARDS, after=synced, upto=seq):
                self._changed[card_id] = changed_seq
            self._synced = seq

    def get(self, card_id: str, fields, column_key: str, position: int,
            at: datetime) -> Fragment | None:
        hit = self.unchanged(card_id, fields, at)
        if hit is None or hit.position != position or hit.column_key != column_key:
            return None
        return hit

    def unchanged(self, card_id: str, fields, at: datetime) -> Fragment | None:
        """The fragment if no event named its card since; its place is not checked."""
        hit = self._fragments.get((card_id, fields))
        if (hit is None or at >= hit.claim_until
                or hit.seq < max(self._floor, self._changed.get(card_id, 0))):
            return None
        return hit

    def put(self, card_id: str, fields, fragment: Fragment) -> None:
        if len(self._fragments) >= self.MAX_FRAGMENTS:
            self._fragments.clear()
        self._fragments[(card_id, fields)] = fragment

    def clear(self) -> None:
        with self._lock:
            self._fragments.clear()
            self._changed.clear()
            self._synced = None
            self._floor = 0


fragments = CardFragments()
ROWS_PER_QUERY = 500
# What a list query reads when the cards themselves come from fragments.
SLOT = (Card.__table__.c.id, Card.__table__.c.column_key, Card.__table__.c.position)


def json_list(parts) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def card_fragments(slots, seq: int, at: datetime, fields) -> list[Fragment]:
    """Fragments for `slots` (rows of id, column_key, position), in their order: from
    the cache, the rest read and serialised now. `seq` was read before the slots."""
    fragments.sync(seq)
    found: list[Fragment | None] = []
    missing: list[str] = []
    for slot in slots:
        hit = fragments.get(slot.id, fields, slot.column_key, slot.position, at)
        if hit is None and fields is not None:
            # A sparse answer cut from the whole card's fragment: no row to read.
            whole = fragments.get(slot.id, None, slot.column_key, slot.position, at)
            if whole is not None:
                hit = replace(whole, body=orjson.dumps(sparse(orjson.loads(whole.body), fields)))
                fragments.put(slot.id, fields, hit)
        found.append(hit)
        if hit is None:
            missing.append(slot.id)
    if not missing:
        return found
    built = {}
    for start in range(0, len(missing), ROWS_PER_QUERY):
        for card in cards_with_ids(missing[start:start + ROWS_PER_QUERY]):
            built[card.id] = build_fragment(card, seq, at, fields)
    # A card deleted between the two queries is left out.
    return [hit or built.get(slot.id) for hit, slot in zip(found, slots)
            if hit or slot.id in built]


def build_fragment(card, seq: int, at: datetime, fields) -> Fragment:
    fragment = Fragment(
        card_id=card.id, seq=seq, column_key=card.column_key, position=card.position,
        claim_until=card.claim_expires_at if claim_is_active(card, at) else FAR_FUTURE,
        updated_at=card.updated_at, body=orjson.dumps(sparse(card_view(card, at), fields)))
    fragments.put(card.id, fields, fragment)
    return fragment


def list_body(slots, seq: int, at: datetime, fields) -> tuple[bytes, datetime]:
    """A JSON list of the cards in `slots`, and when the first of their claims ends."""
    found = card_fragments(slots, seq, at, fields)
    valid_until = min((fragment.claim_until for fragment in found), default=FAR_FUTURE)
    return json_list(fragment.body for fragment in found), valid_until


SELECT_SLOT = sa.select(*SLOT).where(SLOT[0] == sa.bindparam("card_id"))


def card_read(card_id: str) -> Response:
    """One card: its fragment while no event has named it (one small query to check
    its place), else the row, serialised once for the next reader."""
    at = now()
    seq = last_seq_anywhere()
    fragments.sync(seq)
    fragment = fragments.unchanged(card_id, None, at)
    if fragment is not None:
        slot = fetch_one(SELECT_SLOT, card_id=card_id)
        if slot is None:
            raise NotFound("Card not found", "CARD_NOT_FOUND")
        if (slot.column_key, slot.position) != (fragment.column_key, fragment.position):
            fragment = None
    if fragment is None:
        fragment = build_fragment(read_card(card_id), seq, at, None)
    return with_etag(fragment.body, hashlib.blake2b(fragment.body, digest_size=12).hexdigest())
