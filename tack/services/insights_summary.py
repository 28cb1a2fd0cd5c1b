"""The insights summaries (tack/models_insights.py): kept up to date as events are
appended, in the same write transaction, and rebuilt from the log by a replay
(migration 0013 backfills with it; tests check the kept rows against it).

What each event adds, at most one small statement (two for a move, three into done):
- `created`: +1 for its column on its day; `deleted`: -1 for the column it left.
- `moved` from another column: -1/+1 for the two columns; the card entered its
  column now; into a doing-role column, its first start of work (a move within a
  doing column counts as a start too, as the log reads); into a done-role column
  from a column that is not done, a completion row.
Other events add nothing. Claims and notes (hot writes) are not summed: the page
counts them per agent from the log within its window (tack/services/insights.py).
The log stays the truth: a move's details read "from -> to" (a sweep may add
" (reason)"), the same as the page read them from the log.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tack.clock import as_utc
from tack.models import Card, Column, Event
from tack.models_insights import InsightCard, InsightDone, InsightFlow

FLOW = InsightFlow.__table__
ENTRIES = InsightCard.__table__
DONE = InsightDone.__table__
CARDS = Card.__table__
COLUMNS = Column.__table__
EVENTS = Event.__table__
SUMMARY_TABLES = (FLOW, ENTRIES, DONE)
SUMMED_ACTIONS = ("created", "moved", "deleted")


def day_label(moment: datetime) -> str:
    """The UTC calendar day of a moment, as the page labels it."""
    return as_utc(moment).date().isoformat()


def split_move(details: str) -> tuple[str, str] | None:
    """("from", "to") of a `moved` event's details; None when they do not say."""
    source, arrow, rest = (details or "").partition(" -> ")
    if not arrow:
        return None
    return source, rest.split(" (", 1)[0]


# ---- kept on write ------------------------------------------------------------------------

class _Statements:
    """The upserts, built once per dialect (both speak INSERT ... ON CONFLICT)."""

    def __init__(self, dialect: str):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

        flow = insert(FLOW)
        self.flow = flow.on_conflict_do_update(
            index_elements=[FLOW.c.board_id, FLOW.c.day, FLOW.c.column_key],
            set_={"cards": FLOW.c.cards + flow.excluded.cards})
        entry = insert(ENTRIES)
        # A move from another column sets when the card entered; the first start of
        # work is never replaced.
        self.entry = entry.on_conflict_do_update(
            index_elements=[ENTRIES.c.card_id],
            set_={"entered_at": sa.func.coalesce(entry.excluded.entered_at,
                                                 ENTRIES.c.entered_at),
                  "started_at": sa.func.coalesce(ENTRIES.c.started_at,
                                                 entry.excluded.started_at)})


def _statements_for(dialect: str) -> _Statements:
    return _statements.get(dialect) or _statements.setdefault(dialect, _Statements(dialect))


_statements: dict[str, _Statements] = {}
FORGET_CARD = sa.delete(ENTRIES).where(ENTRIES.c.card_id == sa.bindparam("card_id"))
INSERT_DONE = sa.insert(DONE)
ROLE_OF = sa.select(COLUMNS.c.role).where(COLUMNS.c.board_id == sa.bindparam("board_id"),
                                          COLUMNS.c.key == sa.bindparam("key"))
COLUMN_OF_CARD = sa.select(CARDS.c.column_key).where(CARDS.c.id == sa.bindparam("card_id"))
# What a completion is measured from, and whether it left a done column (then it is
# not a completion: done -> done under another name).
COMPLETION_FACTS = (
    sa.select(CARDS.c.created_at, ENTRIES.c.started_at,
              ROLE_OF.scalar_subquery().label("source_role"))
    .select_from(CARDS.outerjoin(ENTRIES, ENTRIES.c.card_id == CARDS.c.id))
    .where(CARDS.c.id == sa.bindparam("card_id"))
)


def note_events(connection: sa.Connection, events: list[dict], at: datetime,
                facts: dict[int, tuple] | None = None) -> None:
    """Sum the events a write appends (all written at `at`) into the summaries.
    `facts`: by event index, what the writer knew ((column, role)), sparing a lookup."""
    facts = facts or {}
    statements = _statements_for(connection.dialect.name)
    day = day_label(at)
    for index, event in enumerate(events):
        action = event["action"]
        if action not in SUMMED_ACTIONS or not event.get("card_id"):
            continue
        board_id, card_id = event["board_id"], event["card_id"]
        if action == "moved":
            _note_move(connection, statements, event, facts.get(index), day, at)
        else:
            column, _ = facts.get(index) or (None, None)
            if action == "created":
                column = column or connection.execute(
                    COLUMN_OF_CARD, {"card_id": card_id}).scalar()
            else:
                connection.execute(FORGET_CARD, {"card_id": card_id})
            if column:
                connection.execute(statements.flow, {
                    "board_id": board_id, "day": day, "column_key": column,
                    "cards": 1 if action == "created" else -1})


def _note_move(connection, statements: _Statements, event: dict, known: tuple | None,
               day: str, at: datetime) -> None:
    move = split_move(event["details"])
    if move is None:
        return
    source, target = move
    board_id, card_id = event["board_id"], event["card_id"]
    _, role = known or (None, None)
    if role is None:
        role = connection.execute(ROLE_OF, {"board_id": board_id, "key": target}).scalar()
    if source == target:  # a reorder: only a start of work, as the log reads it
        if role == "doing":
            connection.execute(statements.entry, {"card_id": card_id, "entered_at": None,
                                                  "started_at": at})
        return
    connection.execute(statements.flow, [
        {"board_id": board_id, "day": day, "column_key": target, "cards": 1},
        {"board_id": board_id, "day": day, "column_key": source, "cards": -1}])
    if role == "done":
        facts = connection.execute(COMPLETION_FACTS, {"card_id": card_id, "board_id": board_id,
                                                      "key": source}).first()
        if facts is not None and facts.source_role != "done":
            connection.execute(INSERT_DONE, {
                "board_id": board_id, "card_id": card_id, "actor": event["actor"] or "",
                "day": day, "done_at": at, "created_at": facts.created_at,
                "started_at": facts.started_at})
    connection.execute(statements.entry, {"card_id": card_id, "entered_at": at,
                                          "started_at": at if role == "doing" else None})


# ---- rebuilt from the log -------------------------------------------------------------------

def rebuild(connection: sa.Connection) -> dict[str, int]:
    """Replace every summary row by a replay of the whole log (oldest first) against
    today's cards and columns. Returns the rows written per table.

    Where the log is silent the replay reads it as the page always has: a `created`
    event holds the title, not the column, so a card's first column is where its
    first move started, or where it is now if it never moved, or (deleted without a
    move) the board's first inbox column; a card deleted without a move leaves that
    same column. Completions use the columns' roles as they are now."""
    for table in SUMMARY_TABLES:
        connection.execute(sa.delete(table))
    roles: dict[tuple[str, str], str] = {}
    columns_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for board_id, key, role in connection.execute(
            sa.select(COLUMNS.c.board_id, COLUMNS.c.key, COLUMNS.c.role)
            .order_by(COLUMNS.c.board_id, COLUMNS.c.position)):
        roles[(board_id, key)] = role
        columns_of[board_id].append((key, role))
    # Where a card is created unless told otherwise: the first inbox-role column.
    inbox = {board_id: next((key for key, role in found if role == "inbox"), found[0][0])
             for board_id, found in columns_of.items()}
    cards = {card_id: (column, created_at) for card_id, column, created_at in connection.execute(
        sa.select(CARDS.c.id, CARDS.c.column_key, CARDS.c.created_at))}
    first_source: dict[str, str] = {}
    for card_id, details in connection.execute(
            sa.select(EVENTS.c.card_id, EVENTS.c.details)
            .where(EVENTS.c.action == "moved", EVENTS.c.card_id.is_not(None))
            .order_by(EVENTS.c.seq)):
        if card_id not in first_source:
            move = split_move(details)
            if move:
                first_source[card_id] = move[0]

    flow: dict[tuple, int] = defaultdict(int)
    done: list[dict] = []
    column_now: dict[str, str] = {}
    created_at: dict[str, datetime] = {}
    entered: dict[str, datetime] = {}
    started: dict[str, datetime] = {}
    log = connection.execute(
        sa.select(EVENTS.c.board_id, EVENTS.c.card_id, EVENTS.c.action, EVENTS.c.actor,
                  EVENTS.c.details, EVENTS.c.created_at)
        .where(EVENTS.c.action.in_(SUMMED_ACTIONS), EVENTS.c.card_id.is_not(None))
        .order_by(EVENTS.c.seq).execution_options(yield_per=5000))
    for board_id, card_id, action, actor, details, at in log:
        at, actor = as_utc(at), actor or ""
        if action == "created":
            column = first_source.get(card_id) or (cards[card_id][0] if card_id in cards
                                                   else inbox.get(board_id))
            column_now[card_id], created_at[card_id] = column, at
            if column:
                flow[(board_id, day_label(at), column)] += 1
        elif action == "deleted":
            column = column_now.pop(card_id, None) or inbox.get(board_id)
            entered.pop(card_id, None)
            started.pop(card_id, None)
            if column:
                flow[(board_id, day_label(at), column)] -= 1
        else:
            move = split_move(details)
            if move is None:
                continue
            source, target = move
            role = roles.get((board_id, target))
            if role == "doing":
                started.setdefault(card_id, at)
            if source == target:
                continue
            day = day_label(at)
            flow[(board_id, day, target)] += 1
            flow[(board_id, day, source)] -= 1
            column_now[card_id], entered[card_id] = target, at
            if role == "done" and roles.get((board_id, source)) != "done":
                done.append({"board_id": board_id, "card_id": card_id, "actor": actor,
                             "day": day, "done_at": at,
                             "created_at": cards[card_id][1] if card_id in cards
                             else created_at.get(card_id),
                             "started_at": started.get(card_id)})

    written = {
        FLOW: [{"board_id": b, "day": d, "column_key": c, "cards": n}
               for (b, d, c), n in flow.items()],
        DONE: done,
        ENTRIES: [{"card_id": card_id, "entered_at": entered.get(card_id),
                   "started_at": started.get(card_id)}
                  for card_id in cards if card_id in entered or card_id in started],
    }
    for table, rows in written.items():
        for start in range(0, len(rows), 5000):
            connection.execute(sa.insert(table), rows[start:start + 5000])
    return {table.name: len(rows) for table, rows in written.items()}
