"""Insights: how work flows on a board, where it is stuck and who does it, computed
from the event log (and the cards' current state) for a window of whole UTC days.

Everything here is a read with a given `now`, so tests move the clock and check
exact figures. The log is large (hundreds of thousands of rows), so the counting is
done by the database (GROUP BY day and move) and only per-card facts that a chart
needs one by one (completions, cards in progress) come back as rows.

How the log is read:
- `moved` details are "from -> to" (a sweep may add " (reason)"); a move inside one
  column (a reorder) reads "x -> x" and changes nothing here.
- `created` details hold the title, not the column: a card's first column is where
  its first move started from, or where it is now if it never moved. A deleted card
  that never moved is counted in the board's first inbox column (where cards are
  created unless told otherwise).
- A card is done when it enters a done-role column from another column. Archiving
  does not take a card out of the flow: done work stays done in the diagram.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from tack.errors import Invalid
from tack.models import Card, Event
from tack.services.boards import board_row, column_rows
from tack.services.reading import cards_with_ids, fetch

EVENTS = Event.__table__
CARDS = Card.__table__
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


# ---- reading the log -------------------------------------------------------------------

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


def split_move(details: str) -> tuple[str, str] | None:
    """("from", "to") of a `moved` event's details; None when they do not say."""
    source, arrow, rest = (details or "").partition(" -> ")
    if not arrow:
        return None
    return source, rest.split(" (", 1)[0]


def _other(alias: str):
    return EVENTS.alias(alias)


def _is(action_column, action: str):
    """`action = 'moved'` with the action written into the SQL (actions are this
    module's constants): a bound parameter would hide from both planners that the
    partial indexes over moves (migration 0010) apply."""
    return action_column == sa.literal_column(f"'{action}'")


def _first_move_details(card_id_column, before_seq=None, newest=False):
    """Details of a card's first (or, with newest, latest) move, as a subquery."""
    move = _other("move")
    query = sa.select(move.c.details).where(move.c.card_id == card_id_column,
                                            _is(move.c.action, "moved"))
    if before_seq is not None:
        query = query.where(move.c.seq < before_seq)
    order = move.c.seq.desc() if newest else move.c.seq
    return query.order_by(order).limit(1).scalar_subquery()


@dataclass(frozen=True)
class Span:
    """Events of one board written in [start, end) (or [start, end] when `to_now`)."""

    board_id: str
    start: datetime
    end: datetime
    to_now: bool = True


def _in_window(span: Span, action: str):
    before_end = EVENTS.c.created_at <= span.end if span.to_now \
        else EVENTS.c.created_at < span.end
    return sa.and_(EVENTS.c.board_id == span.board_id, _is(EVENTS.c.action, action),
                   EVENTS.c.created_at >= span.start, before_end)


def _creation_column(columns) -> str:
    inboxes = [column.key for column in columns if column.role == "inbox"]
    return inboxes[0] if inboxes else columns[0].key


# ---- cumulative flow -------------------------------------------------------------------

def flow_changes(span: Span, columns) -> dict[str, list[tuple[str, int]]]:
    """Per day of the span: (column, +n / -n) for cards moved, created and deleted,
    counted by the database."""
    changes: dict[str, list[tuple[str, int]]] = {}

    def change(day, key, delta):
        changes.setdefault(day, []).append((key, delta))

    day = day_of(EVENTS.c.created_at)
    for day_label, details, number in fetch(
        sa.select(day, EVENTS.c.details, sa.func.count()).where(_in_window(span, "moved"))
        .group_by(day, EVENTS.c.details)
    ):
        move = split_move(details)
        if move and move[0] != move[1]:
            change(day_label, move[1], number)
            change(day_label, move[0], -number)

    fallback = _creation_column(columns)
    created = (
        sa.select(day.label("day"), _first_move_details(EVENTS.c.card_id).label("first_move"),
                  CARDS.c.column_key.label("now_in"))
        .select_from(EVENTS.outerjoin(CARDS, CARDS.c.id == EVENTS.c.card_id))
        .where(_in_window(span, "created")).subquery()
    )
    for day_label, first_move, now_in, number in fetch(
        sa.select(created.c.day, created.c.first_move, created.c.now_in, sa.func.count())
        .group_by(created.c.day, created.c.first_move, created.c.now_in)
    ):
        move = split_move(first_move)
        change(day_label, move[0] if move else (now_in or fallback), number)

    deleted = (
        sa.select(day.label("day"),
                  _first_move_details(EVENTS.c.card_id, EVENTS.c.seq, newest=True)
                  .label("last_move"))
        .where(_in_window(span, "deleted")).subquery()
    )
    for day_label, last_move, number in fetch(
        sa.select(deleted.c.day, deleted.c.last_move, sa.func.count())
        .group_by(deleted.c.day, deleted.c.last_move)
    ):
        move = split_move(last_move)
        change(day_label, move[1] if move else fallback, -number)
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

def _ends_in(details_column, keys):
    """SQL: a move's details ("from -> to", or "from -> to (reason)" with one of the
    fixed reasons the sweeps write) name one of `keys` as where it went."""
    return sa.or_(*[
        condition for key in keys
        for condition in (details_column.endswith(f" -> {key}", autoescape=True),
                          details_column.contains(f" -> {key} (", autoescape=True))
    ]) if keys else sa.false()


def _starts_in(details_column, keys):
    """SQL: a move's details name one of `keys` as where it came from."""
    return sa.or_(*[details_column.startswith(f"{key} -> ", autoescape=True)
                    for key in keys]) if keys else sa.false()


def completions(span: Span, columns) -> list[dict]:
    """Every entry into a done-role column from another column within the span, with
    the seconds since the card was created (lead) and since it first entered a
    doing-role column before that entry (cycle). One query: the card row gives the
    creation time (the `created` event only for a deleted card), and the earlier
    starts of work are joined (probes of the card's moves index on SQLite, a hash
    join over the board's moves on PostgreSQL) and reduced to their first."""
    done = {column.key for column in columns if column.role == "done"}
    doing = {column.key for column in columns if column.role == "doing"}
    first = _other("first")
    created_event_at = (sa.select(first.c.created_at)
                        .where(first.c.card_id == EVENTS.c.card_id,
                               _is(first.c.action, "created"))
                        .order_by(first.c.seq).limit(1).scalar_subquery())
    started = _other("started")
    started_work = sa.and_(started.c.card_id == EVENTS.c.card_id,
                           _is(started.c.action, "moved"), started.c.seq < EVENTS.c.seq,
                           _ends_in(started.c.details, doing))
    rows = fetch(
        sa.select(EVENTS.c.card_id, EVENTS.c.actor, day_of(EVENTS.c.created_at).label("day"),
                  seconds_between(sa.func.coalesce(CARDS.c.created_at, created_event_at),
                                  EVENTS.c.created_at).label("lead"),
                  seconds_between(sa.func.min(started.c.created_at), EVENTS.c.created_at)
                  .label("cycle"))
        .select_from(EVENTS.outerjoin(CARDS, CARDS.c.id == EVENTS.c.card_id)
                     .outerjoin(started, started_work))
        .where(_in_window(span, "moved"), _ends_in(EVENTS.c.details, done),
               sa.not_(_starts_in(EVENTS.c.details, done)))
        .group_by(EVENTS.c.seq, EVENTS.c.card_id, EVENTS.c.actor, EVENTS.c.created_at,
                  CARDS.c.created_at)
        .order_by(EVENTS.c.seq)
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

def cards_in_progress(w: Window, columns) -> list[dict]:
    """Cards not done (and not archived), each with when it entered its current
    column: its latest move from another column, or its creation."""
    keys = [column.key for column in columns if column.role != "done"]
    move = _other("entered")
    entered = (sa.select(move.c.created_at)
               .where(move.c.card_id == CARDS.c.id, _is(move.c.action, "moved"),
                      sa.func.substr(move.c.details, 1, sa.func.length(CARDS.c.column_key) + 4)
                      != CARDS.c.column_key + " -> ")
               .order_by(move.c.seq.desc()).limit(1).scalar_subquery())
    now = _at(w.now)
    live_claim = sa.and_(CARDS.c.claimed_by.is_not(None), CARDS.c.claim_expires_at > now)
    rows = fetch(
        sa.select(CARDS.c.id, CARDS.c.title, CARDS.c.column_key, CARDS.c.assignee,
                  sa.case((live_claim, CARDS.c.claimed_by)).label("holder"),
                  sa.case((live_claim, seconds_between(CARDS.c.claimed_at, now)))
                  .label("held"),
                  seconds_between(sa.func.coalesce(entered, CARDS.c.created_at), now)
                  .label("age"))
        .where(CARDS.c.board_id == w.board_id, CARDS.c.column_key.in_(keys),
               CARDS.c.archived_at.is_(None))
    )
    roles = {column.key: column.role for column in columns}
    cards = []
    for row in rows:
        age = max(float(row.age), 0)
        held = None if row.held is None else float(row.held)
        cards.append({
            "card_id": row.id, "title": row.title, "column_name": row.column_key,
            "role": roles[row.column_key], "assignee": row.assignee,
            "entered_at": w.now - timedelta(seconds=round(age)),
            "age_days": round(age / SECONDS_PER_DAY, 2),
            "age_bucket": _bucket(age / SECONDS_PER_DAY, AGE_BUCKETS),
            "claimed_by": row.holder,
            "claimed_at": None if held is None else w.now - timedelta(seconds=round(held)),
            "held_seconds": held,
        })
    cards.sort(key=lambda card: (-card["age_days"], card["entered_at"], card["card_id"]))
    return cards


def aging(columns, in_progress: list[dict]) -> dict:
    labels = [label for _, label in AGE_BUCKETS]
    shown = [column for column in columns if column.role != "done"]
    table = {column.key: dict.fromkeys(labels, 0) for column in shown}
    for card in in_progress:
        table[card["column_name"]][card["age_bucket"]] += 1
    return {
        "buckets": labels,
        "columns": [{"key": column.key, "name": column.name,
                     "cards": list(table[column.key].values())} for column in shown],
        "totals": [sum(table[key][label] for key in table) for label in labels],
        "oldest": [_card_summary(card) for card in in_progress[:OLDEST_NAMED]],
    }


def _card_summary(card: dict) -> dict:
    return {key: card[key] for key in ("card_id", "title", "column_name", "age_days",
                                       "entered_at", "claimed_by", "assignee")}


def stale_claims(w: Window, in_progress: list[dict],
                 older_than: timedelta = STALE_CLAIM_AFTER) -> list[dict]:
    """Live claims held longer than `older_than`, longest held first."""
    stale = [card for card in in_progress if card["claimed_by"]
             and card["held_seconds"] >= older_than.total_seconds()]
    stale.sort(key=lambda card: (-card["held_seconds"], card["card_id"]))
    return [{"card_id": card["card_id"], "title": card["title"],
             "column_name": card["column_name"], "claimed_by": card["claimed_by"],
             "claimed_at": card["claimed_at"],
             "held_hours": round(card["held_seconds"] / 3600, 2)}
            for card in stale]


def waiting_on_people(in_progress: list[dict]) -> list[dict]:
    """Cards in decision or approval columns, longest waiting first."""
    return [_card_summary(card) for card in in_progress
            if card["role"] in ("decision", "approval")]


# ---- agents ------------------------------------------------------------------------------

def agent_counts(span: Span) -> tuple[dict[str, set], dict[str, int]]:
    """({actor: cards claimed}, {actor: notes written}) in the span, from the index."""
    claimed: dict[str, set] = {}
    for actor, card_id in fetch(
        sa.select(EVENTS.c.actor, EVENTS.c.card_id).distinct()
        .where(_in_window(span, "claimed"))
    ):
        claimed.setdefault(actor, set()).add(card_id)
    notes = dict(fetch(sa.select(EVENTS.c.actor, sa.func.count())
                       .where(_in_window(span, "note_added")).group_by(EVENTS.c.actor)))
    return claimed, notes


def agent_activity(facts: "SpanFacts") -> list[dict]:
    """Per actor: cards claimed (each card once: renewals and re-claims are the same
    work), notes written and cards completed."""
    agents: dict[str, dict] = {}

    def agent(name):
        return agents.setdefault(name or NOBODY, {"agent": name or NOBODY, "claims": 0,
                                                  "completions": 0, "notes": 0})

    for actor, cards in facts.claimed.items():
        agent(actor)["claims"] += len(cards)
    for actor, number in facts.notes.items():
        agent(actor)["notes"] += number
    for actor, number in Counter(item["actor"] for item in facts.completions).items():
        agent(actor if actor != NOBODY else "")["completions"] += number
    return sorted(agents.values(),
                  key=lambda a: (-(a["claims"] + a["completions"] + a["notes"]), a["agent"]))


# ---- the whole page ----------------------------------------------------------------------

@dataclass
class SpanFacts:
    """What the log says about a span of days. The log is append-only and written
    at the time of writing, so the facts of days that have ended never change."""

    changes: dict[str, list[tuple[str, int]]]
    completions: list[dict]
    claimed: dict[str, set]
    notes: dict[str, int]

    @classmethod
    def read(cls, span: Span, columns) -> "SpanFacts":
        return cls(flow_changes(span, columns), completions(span, columns),
                   *agent_counts(span))

    def plus(self, later: "SpanFacts") -> "SpanFacts":
        changes = {day: list(items) for day, items in self.changes.items()}
        for day, items in later.changes.items():
            changes.setdefault(day, []).extend(items)
        claimed = {actor: set(cards) for actor, cards in self.claimed.items()}
        for actor, cards in later.claimed.items():
            claimed.setdefault(actor, set()).update(cards)
        notes = dict(self.notes)
        for actor, number in later.notes.items():
            notes[actor] = notes.get(actor, 0) + number
        return SpanFacts(changes, self.completions + later.completions, claimed, notes)


# Facts of the window's ended days, per process: {key: (newest seq seen, facts)}.
_past_days: dict[tuple, tuple[int, SpanFacts]] = {}
PAST_DAYS_KEPT = 64


def _past_facts(w: Window, columns, midnight: datetime) -> SpanFacts:
    """The facts of [window start, today's midnight), read once and then reused until
    the log shows an event dated before midnight that was written after them (a
    clock set back, or a test's wiped database)."""
    from tack.extensions import db
    key = (str(db.engine.url), w.board_id, w.days, midnight,
           tuple((column.key, column.role) for column in columns))
    newest = fetch(sa.select(sa.func.max(EVENTS.c.seq))
                   .where(EVENTS.c.board_id == w.board_id))[0][0] or 0
    cached = _past_days.get(key)
    if cached is not None:
        seen, facts = cached
        late = newest > seen and fetch(
            sa.select(EVENTS.c.seq).where(EVENTS.c.board_id == w.board_id,
                                          EVENTS.c.seq > seen,
                                          EVENTS.c.created_at < midnight).limit(1))
        if newest >= seen and not late:
            return facts
    facts = SpanFacts.read(Span(w.board_id, w.start, midnight, to_now=False), columns)
    if len(_past_days) >= PAST_DAYS_KEPT:
        _past_days.pop(next(iter(_past_days)))
    _past_days[key] = (newest, facts)
    return facts


def window_facts(w: Window, columns) -> SpanFacts:
    midnight = datetime.combine(w.now.date(), time(), tzinfo=timezone.utc)
    today = SpanFacts.read(Span(w.board_id, midnight, w.now), columns)
    return _past_facts(w, columns, midnight).plus(today)


def board_insights(*, board_id: str, days: int, now: datetime) -> dict:
    """Every figure of the insights page (and of /api/insights) for one window."""
    from tack.services import insights_costs
    w = window(board_id, days, now)
    columns = column_rows(board_id)
    facts = window_facts(w, columns)
    done = facts.completions
    in_progress = cards_in_progress(w, columns)
    return {
        "board_id": board_id, "days": days, "now": now,
        "from": w.start, "day_labels": w.day_labels,
        "cumulative_flow": cumulative_flow(w, columns, facts.changes),
        "lead_time": distribution(done, "lead_seconds"),
        "cycle_time": distribution(done, "cycle_seconds"),
        "throughput": throughput(w, done),
        "aging": aging(columns, in_progress),
        "stale_claims": stale_claims(w, in_progress),
        "waiting": waiting_on_people(in_progress),
        "agents": agent_activity(facts),
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
        done = completions(Span(board_id, w.start, w.now), columns)
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
    in_progress = cards_in_progress(w, columns)
    if kind == "column":
        chosen = [card for card in in_progress if card["column_name"] == value]
    elif kind == "age":
        chosen = [card for card in in_progress if card["age_bucket"] == value]
    elif kind == "waiting":
        chosen = waiting_on_people(in_progress)
    else:
        return [{"card_id": card["card_id"], "title": card["title"],
                 "detail": f"claimed by {card['claimed_by']} for {card['held_hours']} h"}
                for card in stale_claims(w, in_progress)]
    return [{"card_id": card["card_id"], "title": card["title"],
             "detail": f"{card['column_name']} for {card['age_days']} days"}
            for card in chosen]
