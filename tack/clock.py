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
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def isoformat(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()
