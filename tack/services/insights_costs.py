"""Tokens and cost per agent, from the executions ledger when the board has one.

The ledger belongs to the Clawboo surface (issue 11). Insights depend only on this
small interface: a source is a callable `(board_id, start, end) -> rows`, each row
with `agent`, `started_at`, `ended_at`, `input_tokens`, `output_tokens` and `cost`.
The default source reads a table named `executions` when one exists with those
columns (checked once per database); otherwise there are no cost panels.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tack.clock import as_utc

EXECUTION_FIELDS = ("agent", "board_id", "started_at", "ended_at", "input_tokens",
                    "output_tokens", "cost")
_ledger_tables: dict[str, sa.Table | None] = {}


def ledger_table() -> sa.Table | None:
    """The `executions` table if this database has one with the fields we read."""
    from tack.extensions import db
    url = str(db.engine.url)
    if url not in _ledger_tables:
        table = None
        inspector = sa.inspect(db.engine)
        if inspector.has_table("executions"):
            names = {column["name"] for column in inspector.get_columns("executions")}
            if set(EXECUTION_FIELDS) <= names:
                table = sa.Table("executions", sa.MetaData(),
                                 *[sa.Column(name) for name in EXECUTION_FIELDS])
        _ledger_tables[url] = table
    return _ledger_tables[url]


def table_executions(board_id: str, start: datetime, end: datetime) -> list | None:
    """The default source: rows of the `executions` table started in [start, end],
    or None when there is no such table."""
    from tack.services.reading import fetch
    table = ledger_table()
    if table is None:
        return None
    return fetch(sa.select(table).where(table.c.board_id == board_id,
                                        table.c.started_at >= start,
                                        table.c.started_at <= end))


def agent_costs(w, source=None) -> dict | None:
    """Per agent and per day: runs, input and output tokens, cost. None when no
    ledger exists (the page then shows no cost panels)."""
    rows = (source or table_executions)(w.board_id, w.start, w.now)
    if rows is None:
        return None
    agents: dict[str, dict] = {}
    per_day = {label: {"day": label, "input_tokens": 0, "output_tokens": 0, "cost": 0.0}
               for label in w.day_labels}
    for row in rows:
        name = row.agent or "(unnamed)"
        agent = agents.setdefault(name, {"agent": name, "runs": 0, "input_tokens": 0,
                                         "output_tokens": 0, "cost": 0.0})
        agent["runs"] += 1
        for totals in (agent, per_day.get(as_utc(_as_datetime(row.started_at))
                                          .date().isoformat())):
            if totals is None:
                continue
            totals["input_tokens"] += row.input_tokens or 0
            totals["output_tokens"] += row.output_tokens or 0
            totals["cost"] += float(row.cost or 0)
    for totals in [*agents.values(), *per_day.values()]:
        totals["cost"] = round(totals["cost"], 4)
    return {"agents": sorted(agents.values(), key=lambda a: (-a["cost"], a["agent"])),
            "days": list(per_day.values())}


def _as_datetime(value) -> datetime:
    """A reflected column without a type hands SQLite's text back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
