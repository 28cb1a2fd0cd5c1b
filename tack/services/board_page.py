"""What the board page shows of each column: a slice of its cards in board order and
how many it holds, read without loading the rest, so the page costs the same on
any board."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tack.models import Card
from tack.services.boards import DEFAULT_BOARD, column_rows
from tack.services.cards import CARDS, matching, on_board
from tack.services.reading import fetch

CARDS_SHOWN = 50  # a column's first slice, and each "show more"
CARDS_SHOWN_MAX = 1000  # the most a column shows after "show more", through live updates
BOARD_ORDER = (Card.position, Card.created_at, Card.id)
# What a card's tile shows: the description (up to 10,000 characters) stays unread.
TILE_COLUMNS = [CARDS.c[name] for name in (
    "id", "column_key", "title", "priority", "assignee", "tags", "claimed_by",
    "claim_expires_at", "decision", "approval")]


@dataclass(frozen=True)
class ColumnSlice:
    cards: list[sa.Row]
    total: int  # every card of the column that matches the filters
    offset: int
    next_card_id: str | None  # the first card after this slice (None: the slice ends it)

    @property
    def end(self) -> int:
        return self.offset + len(self.cards)


def column_slices(*, board_id: str = DEFAULT_BOARD, at: datetime, archive_days: int,
                  shown: dict[str, int] | None = None, **filters) -> dict[str, ColumnSlice]:
    """Each column's first cards (CARDS_SHOWN, or `shown[key]` up to CARDS_SHOWN_MAX)
    and its total. `filters` are cards.matching()'s, run over every card."""
    shown = shown or {}
    limits = {column.key: shown_limit(shown.get(column.key)) for column in column_rows(board_id)}
    if any(filters.values()):
        return _filtered_slices(limits, board_id, at, archive_days, filters)
    # Without filters each column's index hands over its first cards directly.
    cards = visible(sa.select(*TILE_COLUMNS), board_id, at, archive_days, filters)
    totals = column_totals(visible(sa.select(Card.column_key, sa.func.count()), board_id,
                                   at, archive_days, filters))
    return {key: column_slice(cards, key, offset=0, limit=limit, total=totals.get(key, 0))
            for key, limit in limits.items()}


def _filtered_slices(limits: dict[str, int], board_id: str, at: datetime, archive_days: int,
                     filters: dict) -> dict[str, ColumnSlice]:
    """A filter has to look at every card anyway, so one pass numbers the matches per
    column and counts them (cheaper than a query per column and one to count)."""
    numbered = visible(sa.select(
        *TILE_COLUMNS,
        sa.func.row_number().over(partition_by=Card.column_key,
                                  order_by=BOARD_ORDER).label("place"),
        sa.func.count().over(partition_by=Card.column_key).label("total"),
    ), board_id, at, archive_days, filters).subquery()
    rows = fetch(sa.select(numbered)
                 .where(numbered.c.place <= max(limits.values()) + 1)
                 .order_by(numbered.c.column_key, numbered.c.place))
    by_column: dict[str, list[sa.Row]] = {key: [] for key in limits}
    for row in rows:
        by_column.setdefault(row.column_key, []).append(row)
    return {key: _slice(by_column[key], offset=0, limit=limit,
                        total=by_column[key][0].total if by_column[key] else 0)
            for key, limit in limits.items()}


def more_of_column(*, board_id: str = DEFAULT_BOARD, column_name: str, at: datetime,
                   archive_days: int, offset: int, **filters) -> ColumnSlice:
    """The next CARDS_SHOWN cards of one column after `offset` ("show more")."""
    in_column = Card.column_key == column_name
    totals = column_totals(visible(sa.select(Card.column_key, sa.func.count()), board_id,
                                   at, archive_days, filters).where(in_column))
    cards = visible(sa.select(*TILE_COLUMNS), board_id, at, archive_days, filters)
    return column_slice(cards, column_name, offset=offset, limit=CARDS_SHOWN,
                        total=totals.get(column_name, 0))


def shown_limit(requested: int | None) -> int:
    return min(max(requested or 0, CARDS_SHOWN), CARDS_SHOWN_MAX)


def column_slice(cards: sa.Select, column_name: str, *, offset: int, limit: int,
                 total: int) -> ColumnSlice:
    """Cards offset..offset+limit of one column of the `cards` query, in board order."""
    if total <= offset:
        return _slice([], offset=offset, limit=limit, total=total)
    # One card past the slice: a drop below the slice's last card lands above it.
    rows = fetch(cards.where(Card.column_key == column_name)
                 .order_by(*BOARD_ORDER).offset(offset).limit(limit + 1))
    return _slice(rows, offset=offset, limit=limit, total=total)


def _slice(rows: list[sa.Row], *, offset: int, limit: int, total: int) -> ColumnSlice:
    """`rows`: up to limit + 1 cards from `offset`; the extra one is the next card."""
    following = rows[limit].id if len(rows) > limit else None
    return ColumnSlice(cards=rows[:limit], total=total, offset=offset,
                       next_card_id=following)


def column_totals(counts: sa.Select) -> dict[str, int]:
    return dict(fetch(counts.group_by(Card.column_key)))


def visible(query, board_id: str, at: datetime, archive_days: int, filters: dict):
    query = on_board(query, board_id=board_id, at=at, archive_days=archive_days)
    return matching(query, **filters)
