"""Shared by the /api/v1 blueprints: the acting name and the task body."""
from datetime import datetime

from flask import request

from tack.api.responses import json_response
from tack.clock import now
from tack.kanban.translate import task_view
from tack.services.boards import ANONYMOUS, column_rows
from tack.services.notes import note_counts
from tack.services import board_reads


def actor_from(data: dict | None = None) -> str:
    """actor_name in the body, else ?actor=, else the contract's "anonymous"."""
    name = ((data or {}).get("actor_name") or request.args.get("actor") or "").strip()
    return name or ANONYMOUS


def task_bodies(board_id: str, rows, at: datetime | None = None) -> list[dict]:
    names = {column.key: column.name for column in column_rows(board_id)}
    counts = note_counts([row.id for row in rows])
    at = at or now()
    return [task_view(row, names, counts.get(row.id, 0), at) for row in rows]


def task_response(board_id: str, card_id: str, status: int = 200):
    """The task as it now stands, read back after the write (one read)."""
    return task_answer(board_reads.read_task_back(board_id, card_id), status)


def task_answer(row, status: int = 200):
    """The task from a row with the card, `column_title` and `comment_count` (a
    read back, or what the write itself returned)."""
    names = {row.column_key: row.column_title or row.column_key}
    return json_response(task_view(row, names, row.comment_count, now()), status)
