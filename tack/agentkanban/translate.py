"""Tack's rows as the contract's camelCase objects, and the contract's values as
Tack's. AgentKanban priorities (0-4) map onto Tack's four (docs/concepts.md)."""
from datetime import datetime

from tack.clock import as_utc
from tack.errors import Invalid
from tack.services.agent_tasks import short_id

# AgentKanban 0-4 -> Tack's stored priority. 0 and 1 are both Tack's lowest.
STORED_PRIORITY = {0: "low", 1: "low", 2: "normal", 3: "high", 4: "critical"}
# Tack's stored priority -> AgentKanban: the inverse, so a stored value round-trips.
EXT_PRIORITY = {"low": 0, "normal": 2, "high": 3, "critical": 4}
COMMENT_SOURCES = {"api": "api", "agent": "agent", "web": "user"}


def stored_priority(value) -> str:
    """The contract's integer 0-4 as Tack stores it (Invalid otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in STORED_PRIORITY:
        raise Invalid("priority must be an integer from 0 to 4", "INVALID_INPUT")
    return STORED_PRIORITY[value]


def ext_priority(stored: str) -> int:
    return EXT_PRIORITY.get(stored, EXT_PRIORITY["normal"])


def timestamp(moment: datetime | None) -> str | None:
    """ISO-8601 UTC with milliseconds and a Z, as the contract writes times."""
    if moment is None:
        return None
    return as_utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def task_item(row) -> dict:
    return {"id": row.id, "shortId": short_id(row.id), "title": row.title,
            "laneId": row.column_key, "priority": ext_priority(row.priority),
            "tags": list(row.tags or []), "archived": row.archived_at is not None,
            "createdAt": timestamp(row.created_at), "updatedAt": timestamp(row.updated_at)}


def task_detail(row, last_turn_at) -> dict:
    return {**task_item(row), "description": row.description or "",
            "lastTurnAt": timestamp(last_turn_at)}


def lane_view(column, task_count: int | None = None) -> dict:
    view = {"id": column.key, "name": column.name, "position": column.position}
    if task_count is not None:
        view["taskCount"] = task_count
    return view


def comment_view(note) -> dict:
    return {"id": str(note.id), "body": note.content, "authorName": note.author or "",
            "authorSource": COMMENT_SOURCES.get(note.source, "api"),
            "createdAt": timestamp(note.created_at)}


def todo_view(todo) -> dict:
    return {"id": todo.id, "taskId": todo.card_id, "text": todo.text, "done": todo.done,
            "iteration": todo.iteration, "order": todo.position, "source": todo.source,
            "createdAt": timestamp(todo.created_at), "updatedAt": timestamp(todo.updated_at)}


def turn_view(turn) -> dict:
    return {"id": str(turn.id), "source": turn.source, "sourceId": turn.source_id,
            "role": turn.role, "content": turn.content,
            "toolUseOnly": bool(turn.tool_use_only), "capturedAt": timestamp(turn.captured_at)}


def watermarks_view(marks: dict) -> dict:
    return {source: {"sourceId": row.source_id, "capturedAt": timestamp(row.captured_at)}
            for source, row in marks.items()}


def webhook_view(hook: dict) -> dict:
    """services.webhooks' view (snake_case) in the contract's camelCase."""
    view = {"id": hook["id"], "boardId": hook["board_id"], "url": hook["url"],
            "events": hook["events"], "active": hook["active"],
            "failureCount": hook["failure_count"],
            "lastTriggeredAt": hook["last_triggered_at"],
            "createdAt": hook["created_at"], "updatedAt": hook["updated_at"]}
    if "secret" in hook:
        view["secret"] = hook["secret"]
    return view


def delivery_view(delivery: dict) -> dict:
    return {"id": delivery["id"], "eventSeq": delivery["event_seq"],
            "eventType": delivery["event_type"], "attempt": delivery["attempt"],
            "status": delivery["status"], "responseCode": delivery["response_code"],
            "durationMs": delivery["duration_ms"], "error": delivery["error"],
            "createdAt": delivery["created_at"]}
