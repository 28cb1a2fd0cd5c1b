"""Deleting a whole board and taking back one comment. The event log keeps a line
for each: it is never rewritten."""
import sqlalchemy as sa

from tack.errors import Invalid, NotFound
from tack.models import Board, Card, Column, Note
from tack.services.boards import DEFAULT_BOARD, get_board
from tack.services.transaction import connection, record, session, write_transaction


@write_transaction
def delete_board(*, board_id: str, actor: str = "") -> None:
    """The board with its lanes, cards (and their notes, todos, turns), webhooks and
    key grants. Tack's own board `main` stays."""
    board = get_board(board_id)
    if board.id == DEFAULT_BOARD:
        raise Invalid("The main board cannot be deleted", "MAIN_BOARD")
    name = board.name
    # Cards first: they reference the columns (board_id, key) without a cascade.
    connection().execute(sa.delete(Card.__table__).where(Card.board_id == board_id))
    connection().execute(sa.delete(Column.__table__).where(Column.board_id == board_id))
    session().expunge(board)
    connection().execute(sa.delete(Board.__table__).where(Board.id == board_id))
    record("board_deleted", card_id=None, actor=actor, details=name, board_id=board_id)


@write_transaction
def delete_comment(*, board_id: str, card_id: str, note_id: int, actor: str = "") -> None:
    """Remove a note from a card's thread (NOT_FOUND unless it is on that card)."""
    deleted = connection().execute(
        sa.delete(Note.__table__).where(
            Note.id == note_id, Note.card_id == card_id,
            Note.card_id.in_(sa.select(Card.id).where(Card.board_id == board_id))))
    if deleted.rowcount != 1:
        raise NotFound("Comment not found", "COMMENT_NOT_FOUND")
    record("note_deleted", card_id=card_id, actor=actor, details=str(note_id),
           board_id=board_id)
