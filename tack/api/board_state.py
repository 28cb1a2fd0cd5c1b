"""The board answer kept between writes and patched, so a claim or a note costs the
next reader the cards it changed, not the board.

What agents do most (claim, release, note, edit a card's text) changes one card and
no card's place: the previous board is kept (each column's cards, in order, as JSON
fragments) and only the named cards are read again and put back where they were.
Anything else in the log (a move, a create, a delete, an archive, an action this
module does not know) and anything the clock changes (a claim expiring, a done card
ageing off the board) rebuilds the board from the per-card fragments, which reads
(id, column, position) for every card but serialises only the cards that changed.

The answer is also kept gzipped, in pieces of CARDS_PER_PIECE cards: a patch
recompresses the pieces holding the changed cards, and a rebuild reuses every piece
whose text is unchanged (a card added at the end of a column changes one piece)."""
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain

import orjson
import sqlalchemy as sa

from tack.api import compression
from tack.api.snapshots import (
    FAR_FUTURE,
    SLOT,
    Fragment,
    build_fragment,
    card_fragments,
)
from tack.services import cards
from tack.services.boards import column_rows, columns_with_role
from tack.services.reading import cards_with_ids, fetch

# Events after which every card keeps its column and position and the board shows
# the same cards (a note makes an old done card recent, so it is checked below).
KEEP_PLACES = frozenset({"claimed", "released", "note_added", "claim_expired", "updated"})
MAX_EVENTS_TO_PATCH = 500  # beyond this a rebuild is as cheap
MAX_STATES = 32  # one per `fields` choice asked for; a full table starts again
EVENTS_BETWEEN = sa.text(
    "SELECT card_id, action FROM events WHERE seq > :after AND seq <= :upto"
)


CARDS_PER_PIECE = 200  # ~130 KB of whole cards, ~15 KB of id,title,column_name


@dataclass(frozen=True)
class Piece:
    """A stretch of the board's JSON and the same as compression.deflated()."""
    text: bytes
    packed: bytes


def _piece(text: bytes, known: dict[bytes, Piece]) -> Piece:
    """`known`: the previous board's pieces by text, reused rather than recompressed."""
    return known.get(text) or Piece(text, compression.deflated(text))


OPEN, CLOSE, COMMA, END_LIST = (_piece(text, {}) for text in (b"{", b"}", b",", b"]"))


@dataclass(frozen=True)
class BoardState:
    seq: int
    valid_until: datetime
    cards: dict[str, list[Fragment]]  # column key -> its cards, in order
    where: dict[str, tuple[str, int]]  # card id -> (column key, index there)
    # column key -> '"key":[', its cards' JSON a piece per CARDS_PER_PIECE cards, ']'
    pieces: dict[str, list[Piece]]
    done: frozenset[str]  # the done columns' keys

    def encoded(self) -> tuple[bytes, bytes]:
        """The board's JSON, and the same gzipped."""
        ordered = [OPEN, *chain.from_iterable(
            ([COMMA] if index else []) + column
            for index, column in enumerate(self.pieces.values())), CLOSE]
        body = b"".join(piece.text for piece in ordered)
        return body, compression.gzip_from_pieces(body, (piece.packed for piece in ordered))

    def known_pieces(self) -> dict[bytes, Piece]:
        return {piece.text: piece for column in self.pieces.values() for piece in column}


_states: dict[tuple, BoardState] = {}
_lock = threading.Lock()


def board_body(board_id: str, fields, seq: int, at: datetime,
               archive_days: int) -> tuple[bytes, datetime, bytes]:
    """(the board's JSON, when the clock alone changes it, the JSON gzipped)."""
    key = (board_id, fields)
    state = _states.get(key)
    new = state and _patched(state, fields, seq, at, archive_days)
    if not new:
        new = _rebuilt(board_id, fields, seq, at, archive_days,
                       state.known_pieces() if state else {})
    with _lock:
        current = _states.get(key)
        if current is None or current.seq <= new.seq:
            if len(_states) >= MAX_STATES:
                _states.clear()
            _states[key] = new
    body, gzipped = new.encoded()
    return body, new.valid_until, gzipped


def clear() -> None:
    with _lock:
        _states.clear()


def _card_piece(fragments: list[Fragment], number: int, known: dict[bytes, Piece]) -> Piece:
    """Piece `number` of a column's cards (after the first, it starts with a comma)."""
    start = number * CARDS_PER_PIECE
    text = b",".join(fragment.body for fragment in fragments[start:start + CARDS_PER_PIECE])
    return _piece(b"," + text if number else text, known)


def _column_pieces(column_key: str, fragments: list[Fragment],
                   known: dict[bytes, Piece]) -> list[Piece]:
    count = -(-len(fragments) // CARDS_PER_PIECE)
    return [_piece(orjson.dumps(column_key) + b":[", known),
            *(_card_piece(fragments, number, known) for number in range(count)), END_LIST]


def _deadline(fragment: Fragment, done: frozenset[str], archive_after: timedelta) -> datetime:
    """When the clock alone changes what the board shows for this card."""
    if fragment.column_key in done:
        return min(fragment.claim_until, fragment.updated_at + archive_after)
    return fragment.claim_until


def _rebuilt(board_id: str, fields, seq: int, at: datetime, archive_days: int,
             known: dict[bytes, Piece]) -> BoardState:
    slots = cards.board_cards(board_id=board_id, at=at, archive_days=archive_days,
                              columns=SLOT)
    board_columns = column_rows(board_id)
    by_column: dict[str, list[Fragment]] = {column.key: [] for column in board_columns}
    done = frozenset(column.key for column in
                     columns_with_role("done", board_id, board_columns))
    archive_after = timedelta(days=archive_days)
    valid_until = FAR_FUTURE
    for fragment in card_fragments(slots, seq, at, fields):
        by_column.setdefault(fragment.column_key, []).append(fragment)
        valid_until = min(valid_until, _deadline(fragment, done, archive_after))
    where = {fragment.card_id: (column_key, index)
             for column_key, fragments in by_column.items()
             for index, fragment in enumerate(fragments)}
    pieces = {key: _column_pieces(key, fragments, known)
              for key, fragments in by_column.items()}
    return BoardState(seq=seq, valid_until=valid_until, cards=by_column, where=where,
                      pieces=pieces, done=done)


def _patched(state: BoardState, fields, seq: int, at: datetime,
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
    # (Not set.issubset(state.where): that copies the board's ids into a set.)
    if any(card_id not in state.where for card_id in changed):
        return None  # a card the board did not show (an old done card that got a note)
    rows = cards_with_ids(list(changed)) if changed else []
    if len(rows) != len(changed):
        return None
    archive_after = timedelta(days=archive_days)
    new_cards = dict(state.cards)
    valid_until = state.valid_until
    touched: dict[str, set[int]] = {}  # column key -> numbers of the pieces to redo
    for row in rows:
        column_key, index = state.where[row.id]
        old = state.cards[column_key][index]
        if (row.column_key, row.position) != (column_key, old.position):
            return None
        fragment = build_fragment(row, seq, at, fields)
        if column_key not in touched:
            new_cards[column_key] = list(new_cards[column_key])
            touched[column_key] = set()
        new_cards[column_key][index] = fragment
        touched[column_key].add(index // CARDS_PER_PIECE)
        valid_until = min(valid_until, _deadline(fragment, state.done, archive_after))
    pieces = dict(state.pieces)
    for column_key, numbers in touched.items():
        pieces[column_key] = list(pieces[column_key])
        for number in numbers:
            # The column's pieces start with its key: card piece `number` is next but one.
            pieces[column_key][1 + number] = _card_piece(new_cards[column_key], number, {})
    return BoardState(seq=seq, valid_until=valid_until, cards=new_cards, where=state.where,
                      pieces=pieces, done=state.done)
