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
        size = len(snapshot.body)
        if size > self.MAX_BYTES // 4:
            return  # an answer this large is not worth a quarter of the cache
        with self._lock:
            if (len(self._entries) >= self.MAX_ENTRIES
                    or self._bytes + size > self.MAX_BYTES):
                self._entries.clear()
                self._bytes = 0
            previous = self._entries.get(key)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[key] = snapshot
            self._bytes += size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


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
