"""Insights: how work flows on a board, where it is stuck and who does it, for a
window of whole UTC days, read from the summaries of the event log that every write
but a claim or a note keeps (tack/services/insights_summary.py), from the log's
claims and notes within the window, and from the cards' current state.

Everything here is a read with a given `now` (the window ends then), so tests move
the clock and check exact figures. Only the per-agent claims and notes read the
log, from an index, within the window; otherwise a render reads a few hundred
summary rows per range plus one row per completion and per card in progress,
whatever the size of the log.

How the log is summed (the rules the page has always read it by):
- `moved` details are "from -> to" (a sweep may add " (reason)"); a move inside one
  column (a reorder) changes no count.
- A card is done when it enters a done-role column from another column. Archiving
  does not take a card out of the flow: done work stays done in the diagram.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from tack.errors import Invalid
from tack.models import Card, Event
from tack.models_insights import InsightCard, InsightDone, InsightFlow
from tack.services.boards import board_row, column_rows
from tack.services.reading import cards_with_ids, fetch

CARDS = Card.__table__
FLOW = InsightFlow.__table__
ENTRIES = InsightCard.__table__
DONE = InsightDone.__table__
EVENTS = Event.__table__
RANGES = (7, 30, 90)
PERCENTILES = (50, 85, 95)
# Cards by time in their current column: upper bounds in days (the last is open).
AGE_BUCKETS = ((1, "< 1 day"), (3, "1-3 days"), (7, "3-7 days"), (14, "1-2 weeks"),
               (30, "2-4 weeks"), (None, "30+ days"))
# A claim held longer than this (and not yet expired) is listed as stale.
STALE_CLAIM_AFTER = timedelta(hours=2)
OLDEST_NAMED = 10
NOBODY = "(unnamed)"
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Window:
    """`days` whole UTC days ending with today (the day `now` falls on)."""

    board_id: str
    days: int
    now: datetime
    first_day: date = field(init=False)
    start: datetime = field(init=False)
    day_labels: list[str] = field(init=False)

    def __post_init__(self):
        first_day = self.now.date() - timedelta(days=self.days - 1)
        object.__setattr__(self, "first_day", first_day)
        object.__setattr__(self, "start", datetime.combine(first_day, time(),
                                                           tzinfo=timezone.utc))
        object.__setattr__(self, "day_labels", [(first_day + timedelta(days=i)).isoformat()
                                                for i in range(self.days)])


def window(board_id: str, days: int, now: datetime) -> Window:
    if days not in RANGES:
        raise Invalid(f"days must be one of {', '.join(map(str, RANGES))}", "INVALID_RANGE")
    board_row(board_id)  # NotFound for an unknown board
    return Window(board_id, days, now)


# ---- reading the summaries -----------------------------------------------------------

def day_of(column):
    """The UTC calendar day of a timestamp as 'YYYY-MM-DD', computed by the database.
    SQLite keeps UTC text ('2026-03-02 09:00:00.000000'); PostgreSQL a timestamptz."""
    from tack.extensions import db
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.substr(column, 1, 10)


def seconds_between(start, end):
    """SQL: seconds from `start` to `end` (columns or values), so rows come back as
    numbers and no timestamp is parsed in Python (thousands per page)."""
    from tack.extensions import db
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * SECONDS_PER_DAY


def _at(moment: datetime):
    from tack.models import UTCDateTime
    return sa.literal(moment, UTCDateTime)


# ---- cumulative flow -------------------------------------------------------------------

def flow_changes(w: Window) -> dict[str, list[tuple[str, int]]]:
    """Per day of the window: (column, net cards in) for cards created, moved and
    deleted that day."""
    changes: dict[str, list[tuple[str, int]]] = {}
    for day, key, number in fetch(
        sa.select(FLOW.c.day, FLOW.c.column_key, FLOW.c.cards)
        .where(FLOW.c.board_id == w.board_id, FLOW.c.day >= w.day_labels[0],
               FLOW.c.day <= w.day_labels[-1], FLOW.c.cards != 0)
    ):
        changes.setdefault(day, []).append((key, number))
    return changes


def cumulative_flow(w: Window, columns, changes: dict[str, list[tuple[str, int]]]) -> dict:
    """Cards in each column at the end of each day of the window (today: now).
    Walks back from the cards as they are now, undoing each day's changes."""
    counts = dict.fromkeys((column.key for column in columns), 0)
    for key, number in fetch(
        sa.select(CARDS.c.column_key, sa.func.count()).where(CARDS.c.board_id == w.board_id)
        .group_by(CARDS.c.column_key)
    ):
        counts[key] = counts.get(key, 0) + number
    series = {column.key: [0] * w.days for column in columns}
    for index in range(w.days - 1, -1, -1):
        label = w.day_labels[index]
        for key in series:
            series[key][index] = counts.get(key, 0)
        for key, delta in changes.get(label, ()):
            counts[key] = counts.get(key, 0) - delta
    return {
        "days": w.day_labels,
        "columns": [{"key": column.key, "name": column.name, "role": column.role,
                     "counts": series[column.key]} for column in columns],
    }


# ---- completions: lead time, cycle time, throughput --------------------------------------

def completions(board_id: str, start: datetime, end: datetime) -> list[dict]:
    """Every entry into a done-role column from another column in [start, end], in
    order, with the seconds since the card was created (lead) and since it first
    moved into a doing-role column (cycle; None if it never did)."""
    rows = fetch(
        sa.select(DONE.c.card_id, DONE.c.actor, DONE.c.day,
                  seconds_between(DONE.c.created_at, DONE.c.done_at).label("lead"),
                  seconds_between(DONE.c.started_at, DONE.c.done_at).label("cycle"))
        .where(DONE.c.board_id == board_id, DONE.c.done_at >= _at(start),
               DONE.c.done_at <= _at(end))
        .order_by(DONE.c.done_at, DONE.c.id)
    )
    return [{"card_id": card_id, "actor": actor or NOBODY, "day": day,
             "lead_seconds": None if lead is None else float(lead),
             "cycle_seconds": None if cycle is None else float(cycle)}
            for card_id, actor, day, lead, cycle in rows]


def percentile(values: list[float], rank: int, ordered: bool = False) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `rank`% of the
    values at or below it (always one of the values, so figures are exact).
    `ordered`: the values are sorted already."""
    if not values:
        return None
    if not ordered:
        values = sorted(values)
    return values[max(math.ceil(rank / 100 * len(values)), 1) - 1]


# Distribution bars for lead and cycle times: upper bounds in days.
DURATION_BUCKETS = ((1, "< 1 day"), (2, "1-2 days"), (4, "2-4 days"), (7, "4-7 days"),
                    (14, "1-2 weeks"), (30, "2-4 weeks"), (None, "30+ days"))


def _bucket(days: float, buckets) -> str:
    for bound, label in buckets:
        if bound is None or days < bound:
            return label
    return buckets[-1][1]


def _bucket_counts(ordered_days: list[float], buckets) -> list[int]:
    """How many of the sorted values fall in each bucket (bounds are exclusive)."""
    counts, below = [], 0
    for bound, _ in buckets:
        up_to = len(ordered_days) if bound is None else bisect_left(ordered_days, bound)
        counts.append(up_to - below)
        below = up_to
    return counts


def distribution(done: list[dict], field: str) -> dict:
    values = sorted(item[field] / SECONDS_PER_DAY for item in done
                    if item[field] is not None)
    return {
        "count": len(values),
        "percentiles_days": {f"p{rank}": _round(percentile(values, rank, ordered=True))
                             for rank in PERCENTILES},
        "buckets": [{"label": label, "cards": number} for (_, label), number
                    in zip(DURATION_BUCKETS, _bucket_counts(values, DURATION_BUCKETS))],
    }


def _round(days: float | None) -> float | None:
    return None if days is None else round(days, 2)


def throughput(w: Window, done: list[dict]) -> dict:
    per_day = dict.fromkeys(w.day_labels, 0)
    for item in done:
        if item["day"] in per_day:
            per_day[item["day"]] += 1
    return {"days": w.day_labels, "completed": list(per_day.values()),
            "total": sum(per_day.values())}


# ---- cards now: aging, stale claims, waiting on people ------------------------------------

AGE_BOUNDS = [bound for bound, _ in AGE_BUCKETS if bound is not None]
WAITING_ROLES = ("decision", "approval")


class InProgress:
    """Cards not done (and not archived), oldest in their column first, each with
    when it entered its current column: its latest move from another column, or its
    creation. Kept as plain tuples (age, held, id, title, column, assignee, holder);
    a card becomes a dict only where a chart names it (thousands are counted, a few
    dozen named)."""

    def __init__(self, w: Window, columns):
        self.now = w.now
        self.roles = {column.key: column.role for column in columns}
        keys = [column.key for column in columns if column.role != "done"]
        entered = sa.func.coalesce(ENTRIES.c.entered_at, CARDS.c.created_at)
        now = _at(w.now)
        live_claim = sa.and_(CARDS.c.claimed_by.is_not(None), CARDS.c.claim_expires_at > now)
        rows = fetch(
            sa.select(seconds_between(entered, now),
                      sa.case((live_claim, seconds_between(CARDS.c.claimed_at, now))),
                      CARDS.c.id, CARDS.c.title, CARDS.c.column_key, CARDS.c.assignee,
                      sa.case((live_claim, CARDS.c.claimed_by)))
            .select_from(CARDS.outerjoin(ENTRIES, ENTRIES.c.card_id == CARDS.c.id))
            .where(CARDS.c.board_id == w.board_id, CARDS.c.column_key.in_(keys),
                   CARDS.c.archived_at.is_(None))
        )
        cards = [(max(float(age), 0), None if held is None else float(held), *rest)
                 for age, held, *rest in rows]
        # Oldest first by age in days as shown, then by when they entered, then id.
        cards.sort(key=lambda c: (-round(c[0] / SECONDS_PER_DAY, 2), -round(c[0]), c[2]))
        self.rows = cards

    def card(self, row: tuple) -> dict:
        age, held, card_id, title, column_name, assignee, holder = row
        return {
            "card_id": card_id, "title": title, "column_name": column_name,
            "role": self.roles[column_name], "assignee": assignee,
            "entered_at": self.now - timedelta(seconds=round(age)),
            "age_days": round(age / SECONDS_PER_DAY, 2),
            "age_bucket": _bucket(age / SECONDS_PER_DAY, AGE_BUCKETS),
            "claimed_by": holder,
            "claimed_at": None if held is None else self.now - timedelta(seconds=round(held)),
            "held_seconds": held,
        }

    def cards(self) -> list[dict]:
        return [self.card(row) for row in self.rows]


def aging(columns, in_progress: InProgress) -> dict:
    labels = [label for _, label in AGE_BUCKETS]
    shown = [column for column in columns if column.role != "done"]
    table = {column.key: [0] * len(labels) for column in shown}
    for age, _, _, _, column_name, _, _ in in_progress.rows:
        table[column_name][bisect_right(AGE_BOUNDS, age / SECONDS_PER_DAY)] += 1
    return {
        "buckets": labels,
        "columns": [{"key": column.key, "name": column.name,
                     "cards": table[column.key]} for column in shown],
        "totals": [sum(counts[index] for counts in table.values())
                   for index in range(len(labels))],
        "oldest": [_card_summary(in_progress.card(row))
                   for row in in_progress.rows[:OLDEST_NAMED]],
    }


def _card_summary(card: dict) -> dict:
    return {key: card[key] for key in ("card_id", "title", "column_name", "age_days",
                                       "entered_at", "claimed_by", "assignee")}


def stale_claims(in_progress: InProgress,
                 older_than: timedelta = STALE_CLAIM_AFTER) -> list[dict]:
    """Live claims held longer than `older_than`, longest held first."""
    stale = [in_progress.card(row) for row in in_progress.rows
             if row[6] and row[1] >= older_than.total_seconds()]
    stale.sort(key=lambda card: (-card["held_seconds"], card["card_id"]))
    return [{"card_id": card["card_id"], "title": card["title"],
             "column_name": card["column_name"], "claimed_by": card["claimed_by"],
             "claimed_at": card["claimed_at"],
             "held_hours": round(card["held_seconds"] / 3600, 2)}
            for card in stale]


def waiting_on_people(in_progress: InProgress) -> list[dict]:
    """Cards in decision or approval columns, longest waiting first."""
    return [_card_summary(in_progress.card(row)) for row in in_progress.rows
            if in_progress.roles[row[4]] in WAITING_ROLES]


# ---- agents ------------------------------------------------------------------------------

def _events_in(w: Window, action: str):
    """One board's events of one kind written in the window [start, now]. The action
    is written into the SQL (a module constant), so both planners see that the
    (board_id, action, created_at, actor, card_id) index (migration 0007) answers
    the per-agent counts alone, without reading the table's rows."""
    return sa.and_(EVENTS.c.board_id == w.board_id,
                   EVENTS.c.action == sa.literal_column(f"'{action}'"),
                   EVENTS.c.created_at >= _at(w.start), EVENTS.c.created_at <= _at(w.now))


def agent_counts(w: Window) -> tuple[dict[str, int], dict[str, int]]:
    """({actor: cards claimed}, {actor: notes written}) in the window, counted from
    the log (claims and notes are hot writes: they keep no summary). A card counts
    once per agent (renewals and re-claims are the same work)."""
    # The distinct (agent, card) pairs first, then counted: both planners hash (or
    # sort) the pairs once, faster than count(DISTINCT) per group (PostgreSQL 35 ->
    # 16 ms over 90 days of the bench's board).
    pairs = (sa.select(EVENTS.c.actor, EVENTS.c.card_id).distinct()
             .where(_events_in(w, "claimed")).subquery())
    claimed = dict(fetch(sa.select(pairs.c.actor, sa.func.count()).group_by(pairs.c.actor)))
    notes = dict(fetch(
        sa.select(EVENTS.c.actor, sa.func.count())
        .where(_events_in(w, "note_added")).group_by(EVENTS.c.actor)))
    return claimed, notes


def agent_activity(claimed: dict[str, int], notes: dict[str, int],
                   done: list[dict]) -> list[dict]:
    """Per actor: cards claimed, notes written and cards completed."""
    agents: dict[str, dict] = {}

    def agent(name):
        return agents.setdefault(name or NOBODY, {"agent": name or NOBODY, "claims": 0,
                                                  "completions": 0, "notes": 0})

    for actor, number in claimed.items():
        agent(actor)["claims"] += number
    for actor, number in notes.items():
        agent(actor)["notes"] += int(number)
    for actor, number in Counter(item["actor"] for item in done).items():
        agent(actor if actor != NOBODY else "")["completions"] += number
    return sorted(agents.values(),
                  key=lambda a: (-(a["claims"] + a["completions"] + a["notes"]), a["agent"]))


# ---- the whole page ----------------------------------------------------------------------

def board_insights(*, board_id: str, days: int, now: datetime) -> dict:
    """Every figure of the insights page (and of /api/insights) for one window."""
    from tack.services import insights_costs
    w = window(board_id, days, now)
    columns = column_rows(board_id)
    done = completions(board_id, w.start, w.now)
    in_progress = InProgress(w, columns)
    return {
        "board_id": board_id, "days": days, "now": now,
        "from": w.start, "day_labels": w.day_labels,
        "cumulative_flow": cumulative_flow(w, columns, flow_changes(w)),
        "lead_time": distribution(done, "lead_seconds"),
        "cycle_time": distribution(done, "cycle_seconds"),
        "throughput": throughput(w, done),
        "aging": aging(columns, in_progress),
        "stale_claims": stale_claims(in_progress),
        "waiting": waiting_on_people(in_progress),
        "agents": agent_activity(*agent_counts(w), done),
        "costs": insights_costs.agent_costs(w),
    }


# ---- the cards behind a chart ------------------------------------------------------------

CARD_SETS = ("column", "completed", "age", "stale", "waiting", "agent", "runs")


def cards_behind(*, board_id: str, days: int, now: datetime, kind: str,
                 value: str = "", day: str = "") -> list[dict]:
    """The cards a chart's mark stands for: `column` (cards now in a column),
    `completed` (done in the window, or on day `value`), `age` (in progress, in an
    age bucket), `stale` claims, `waiting` on a person, `agent` (completed by),
    `runs` (executions run by agent `value`, on `day` when given)."""
    if kind not in CARD_SETS:
        raise Invalid(f"kind must be one of {', '.join(CARD_SETS)}", "INVALID_KIND")
    w = window(board_id, days, now)
    if kind == "runs":
        from tack.services import insights_costs
        if day and day not in w.day_labels:
            raise Invalid("day must be a day of the range (YYYY-MM-DD)", "INVALID_DAY")
        return [{"card_id": row.id, "title": row.title,
                 "detail": f"{row.runs} run{'' if row.runs == 1 else 's'} by {value or NOBODY}"
                           f", cost {round(float(row.cost), insights_costs.COST_DIGITS):g} USD"}
                for row in insights_costs.cards_run_by(board_id, w.start, w.now,
                                                       value or NOBODY, day)]
    columns = column_rows(board_id)
    if kind in ("completed", "agent"):
        done = completions(board_id, w.start, w.now)
        if kind == "agent":
            done = [item for item in done if item["actor"] == (value or NOBODY)]
        elif value:
            done = [item for item in done if item["day"] == value]
        titles = {row.id: row.title for row in cards_with_ids(
            sorted({item["card_id"] for item in done}))}
        return [{"card_id": item["card_id"],
                 "title": titles.get(item["card_id"], "(deleted card)"),
                 "detail": f"done {item['day']} by {item['actor']}"}
                for item in done]
    if kind == "column" and any(c.key == value and c.role == "done" for c in columns):
        rows = fetch(sa.select(CARDS.c.id, CARDS.c.title).where(
            CARDS.c.board_id == board_id, CARDS.c.column_key == value)
            .order_by(CARDS.c.position, CARDS.c.id))
        return [{"card_id": row.id, "title": row.title, "detail": value} for row in rows]
    in_progress = InProgress(w, columns)
    if kind == "column":
        chosen = [card for card in in_progress.cards() if card["column_name"] == value]
    elif kind == "age":
        chosen = [card for card in in_progress.cards() if card["age_bucket"] == value]
    elif kind == "waiting":
        chosen = waiting_on_people(in_progress)
    else:
        return [{"card_id": card["card_id"], "title": card["title"],
                 "detail": f"claimed by {card['claimed_by']} for {card['held_hours']} h"}
                for card in stale_claims(in_progress)]
    return [{"card_id": card["card_id"], "title": card["title"],
             "detail": f"{card['column_name']} for {card['age_days']} days"}
            for card in chosen]
