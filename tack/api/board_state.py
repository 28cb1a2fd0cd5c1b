"""The board answer kept between writes and patched, so a claim or a note costs the
next reader the cards it changed, not the board.

What agents do most (claim, release, note, edit a card's text) changes one card and
no card's place: the previous board is kept (each column's cards, in order, as JSON
fragments) and only the named cards are read again and put back where they were.
Anything else in the log (a move, a create, a delete, an archive, an action this
module does not know) and anything the clock changes (a claim expiring, a done card
ageing off the board) rebuilds the board from the per-card fragments, which reads
(id, column, position) for every card but serialises only the cards that changed."""
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa

from tack.api.snapshots import (
    FAR_FUTURE,
    SLOT,
    Fragment,
    build_fragment,
    card_fragments,
    json_list,
)
from tack.services import cards
from tack.services.boards import columns, columns_with_role
from tack.services.reading import cards_with_ids, fetch

# Events after which every card keeps its column and position and the board shows
# the same cards (a note makes an old done card recent, so it is checked below).
KEEP_PLACES = frozenset({"claimed", "released", "note_added", "claim_expired", "updated"})
MAX_EVENTS_TO_PATCH = 500  # beyond this a rebuild is as cheap
MAX_STATES = 32  # one per `fields` choice asked for; a full table starts again
EVENTS_BETWEEN = sa.text(
    "SELECT card_id, action FROM events WHERE seq > :after AND seq <= :upto"
)


@dataclass(frozen=True)
class BoardState:
    seq: int
    valid_until: datetime
    cards: dict[str, list[Fragment]]  # column key -> its cards, in order
    where: dict[str, tuple[str, int]]  # card id -> (column key, index there)
    bodies: dict[str, list[bytes]]  # column key -> its cards' JSON (the fragments' bodies)
    parts: dict[str, bytes]  # column key -> '"key":[...]'
    done: frozenset[str]  # the done columns' keys

    def body(self) -> bytes:
        return b"{" + b",".join(self.parts.values()) + b"}"


_states: dict[tuple, BoardState] = {}
_lock = threading.Lock()


def board_body(board_id: str, fields, seq: int, at: datetime,
               archive_days: int) -> tuple[bytes, datetime]:
    key = (board_id, fields)
    state = _states.get(key)
    new = state and _patched(state, board_id, fields, seq, at, archive_days)
    if not new:
        new = _rebuilt(board_id, fields, seq, at, archive_days)
    with _lock:
        current = _states.get(key)
        if current is None or current.seq <= new.seq:
            if len(_states) >= MAX_STATES:
                _states.clear()
            _states[key] = new
    return new.body(), new.valid_until


def clear() -> None:
    with _lock:
        _states.clear()


def _part(column_key: str, bodies: list[bytes]) -> bytes:
    return orjson.dumps(column_key) + b":" + json_list(bodies)


def _deadline(fragment: Fragment, done: frozenset[str], archive_after: timedelta) -> datetime:
    """When the clock alone changes what the board shows for this card."""
    if fragment.column_name in done:
        return min(fragment.claim_until, fragment.updated_at + archive_after)
    return fragment.claim_until


def _rebuilt(board_id: str, fields, seq: int, at: datetime, archive_days: int) -> BoardState:
    slots = cards.board_cards(board_id=board_id, at=at, archive_days=archive_days,
                              columns=SLOT)
    by_column: dict[str, list[Fragment]] = {column.key: [] for column in columns(board_id)}
    done = frozenset(column.key for column in columns_with_role("done", board_id))
    archive_after = timedelta(days=archive_days)
    valid_until = FAR_FUTURE
    for fragment in card_fragments(slots, seq, at, fields):
        by_column.setdefault(fragment.column_name, []).append(fragment)
        valid_until = min(valid_until, _deadline(fragment, done, archive_after))
    where = {fragment.card_id: (column_key, index)
             for column_key, fragments in by_column.items()
             for index, fragment in enumerate(fragments)}
    bodies = {key: [f.body for f in fragments] for key, fragments in by_column.items()}
    return BoardState(seq=seq, valid_until=valid_until, cards=by_column, where=where,
                      bodies=bodies, parts={k: _part(k, b) for k, b in bodies.items()},
                      done=done)


def _patched(state: BoardState, board_id: str, fields, seq: int, at: datetime,
             archive_days: int) -> BoardState | None:
    """`state` brought up to `seq`, or None when only a rebuild will do."""
    if seq < state.seq or at >= state.valid_until:
        return None
    events = fetch(EVENTS_BETWEEN, after=state.seq, upto=seq) if seq > state.seq else []
    if len(events) > MAX_EVENTS_TO_PATCH:
        return None
    if any(action not in KEEP_PLACES or card_id is None for card_id, action in events):
        return None
    changed = {card_id for card_id, _ in events}
    if not changed.issubset(state.where):
        return None  # a card the board did not show (an old done card that got a note)
    rows = cards_with_ids(list(changed)) if changed else []
    if len(rows) != len(changed):
        return None
    archive_after = timedelta(days=archive_days)
    new_cards = dict(state.cards)
    bodies = dict(state.bodies)
    parts = dict(state.parts)
    valid_until = state.valid_until
    touched = set()
    for row in rows:
        column_key, index = state.where[row.id]
        old = state.cards[column_key][index]
        if (row.column_name, row.position) != (column_key, old.position):
            return None
        fragment = build_fragment(row, seq, at, fields)
        if column_key not in touched:
            new_cards[column_key] = list(new_cards[column_key])
            bodies[column_key] = list(bodies[column_key])
            touched.add(column_key)
        new_cards[column_key][index] = fragment
        bodies[column_key][index] = fragment.body
        valid_until = min(valid_until, _deadline(fragment, state.done, archive_after))
    for column_key in touched:
        parts[column_key] = _part(column_key, bodies[column_key])
    return BoardState(seq=seq, valid_until=valid_until, cards=new_cards, where=state.where,
                      bodies=bodies, parts=parts, done=state.done)
