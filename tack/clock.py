"""The one source of "now": tests move this clock instead of sleeping."""
from datetime import datetime, timezone

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC (or the time a test froze it at)."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Pin now() to `moment` (None lets it run again). For tests and sweeps' callers."""
    global _frozen
    _frozen = moment


def as_utc(moment: datetime | None) -> datetime | None:
    """The same instant in UTC. Naive times (SQLite hands them back) are UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    if moment.utcoffset():
        return moment.astimezone(timezone.utc)
    return moment


def isoformat(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()
