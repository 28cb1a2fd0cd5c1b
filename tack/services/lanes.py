"""A lane is a column of a free-columns board. Renaming and moving one to a place
are one change; the column rules themselves live in services.columns."""
from tack.errors import Invalid
from tack.services import columns
from tack.services.boards import get_board
from tack.services.columns import UNSET
from tack.services.transaction import write_transaction


@write_transaction
def update_lane(*, board_id: str, lane_id: str, name=UNSET, position: int | None = None,
                actor: str = ""):
    """Rename and/or move the lane to `position` (0-based; past the end: last). The
    other lanes close up, so positions stay 0..n-1."""
    lane = columns.get_column(board_id, lane_id)
    if name is not UNSET:
        columns.update_column(board_id=board_id, column_id=lane_id, name=name, actor=actor)
    if position is not None:
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise Invalid("position must be an integer, 0 or more", "INVALID_INPUT")
        order = [column.key for column in get_board(board_id).columns if column.key != lane_id]
        order.insert(min(position, len(order)), lane_id)
        columns.reorder_columns(board_id=board_id, column_ids=order, actor=actor)
    return columns.get_column(board_id, lane.key)
