"""The read cache stays within its bounds."""
from datetime import datetime, timezone

from tack.api.snapshots import Snapshot, SnapshotCache

AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
LATER = datetime(2027, 1, 1, tzinfo=timezone.utc)


def snapshot(size: int, seq: int = 1) -> Snapshot:
    return Snapshot(seq=seq, valid_until=LATER, etag="e", body=b"x" * size)


def test_cache_starts_again_when_its_byte_budget_is_spent():
    cache = SnapshotCache()
    cache.MAX_BYTES = 1000
    for i in range(5):
        cache.put(("k", i), snapshot(240))
    assert cache.get(("k", 4), 1, AT) is not None
    assert cache.get(("k", 0), 1, AT) is None  # cleared when the fifth did not fit
    assert cache._bytes <= cache.MAX_BYTES


def test_cache_skips_answers_too_large_and_misses_on_a_new_seq():
    cache = SnapshotCache()
    cache.MAX_BYTES = 1000
    cache.put(("big",), snapshot(400))
    assert cache.get(("big",), 1, AT) is None
    cache.put(("small",), snapshot(10, seq=7))
    assert cache.get(("small",), 7, AT) is not None
    assert cache.get(("small",), 8, AT) is None
    assert cache.get(("small",), 7, LATER) is None
