"""Read answers cached by the event log's last seq. The log is append-only and every
change writes an event in its own transaction, so a new seq is the only way data can
change: the cache invalidates itself, in every process, with one cheap query. What
the clock alone changes (a claim expiring, a done card ageing off the board) is each
snapshot's `valid_until`."""
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Response

from tack.api.responses import with_etag
from tack.clock import now
from tack.services.events import last_seq_anywhere

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Snapshot:
    seq: int
    valid_until: datetime
    etag: str
    body: bytes


class SnapshotCache:
    MAX_ENTRIES = 4096  # a full cache starts again: cheaper than LRU bookkeeping

    def __init__(self):
        self._entries: dict[tuple, Snapshot] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, seq: int, at: datetime) -> Snapshot | None:
        hit = self._entries.get(key)
        if hit and hit.seq == seq and at < hit.valid_until:
            return hit
        return None

    def put(self, key: tuple, snapshot: Snapshot) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = snapshot

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


snapshots = SnapshotCache()


def cached_read(key: tuple, build: Callable[[datetime], tuple[bytes, datetime]]) -> Response:
    """The answer for `key`: from the cache while nothing happened since, else
    build(at) -> (JSON body, valid_until). With ETag; a matching If-None-Match gets 304."""
    at = now()
    # Read seq before building: a snapshot is then never older than its key.
    seq = last_seq_anywhere()
    snapshot = snapshots.get(key, seq, at)
    if snapshot is None:
        body, valid_until = build(at)
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        snapshot = Snapshot(seq=seq, valid_until=valid_until, etag=etag, body=body)
        snapshots.put(key, snapshot)
    return with_etag(snapshot.body, snapshot.etag)
