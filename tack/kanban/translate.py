"""Tack's rows as the contract's objects, and the contract's values as Tack's."""
import re
from datetime import datetime

from tack.clock import as_utc
from tack.errors import Invalid
from tack.services.cards import PRIORITIES, PRIORITY_RANK

# The contract's 0-3 and names; Tack stores low / normal / high / critical.
KANBAN_PRIORITY_NAMES = ("low", "medium", "high", "critical")
EVENT_TYPES = {"note_added": "comment"}
MOVE_DETAILS = re.compile(r"^(?P<source>\S+) -> (?P<target>\S+)")


def kanban_priority(stored: str) -> int:
    """Tack's stored priority as the contract's integer (round-trips with the next)."""
    return PRIORITY_RANK.get(stored, PRIORITY_RANK["normal"])


def stored_priority(value) -> str:
    """The contract's 0-3 or name (`medium` is Tack's `normal`) as Tack stores it."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        name = value.strip().lower()
        if name in KANBAN_PRIORITY_NAMES:
            return PRIORITIES[KANBAN_PRIORITY_NAMES.index(name)]
        if name in PRIORITY_RANK:
            return name
        if name.isdigit():
            value = int(name)
    if isinstance(value, int) and 0 <= value < len(PRIORITIES):
        return PRIORITIES[value]
    raise Invalid("priority must be 0-3 or one of low, medium, high, critical",
                  "INVALID_INPUT")


def normalise_label(label: str) -> str:
    """"My Label" -> "my-label"."""
    return "-".join(label.strip().lower().split())


def normalise_labels(labels: list[str]) -> list[str]:
    return [label for label in (normalise_label(raw) for raw in labels) if label]


def timestamp(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with a Z, as the contract writes times."""
    return None if moment is None else as_utc(moment).isoformat().replace("+00:00", "Z")


def column_view(column, task_count: int = 0) -> dict:
    return {"id": column.key, "name": column.name, "position": column.position,
            "wip_limit": column.wip_limit, "task_count": task_count}


def board_summary(board, task_count: int) -> dict:
    return {"id": board.id, "name": board.name, "description": board.description or "",
            "task_count": task_count, "archived": board.archived_at is not None,
            "is_public": bool(board.is_public), "created_at": timestamp(board.created_at)}


def board_view(board, columns, counts: dict[str, int]) -> dict:
    return {
        "id": board.id,
        "name": board.name,
        "description": board.description or "",
        "columns": [column_view(c, counts.get(c.key, 0)) for c in columns],
        "task_count": sum(counts.values()),
        "archived": board.archived_at is not None,
        "is_public": bool(board.is_public),
        "require_display_name": bool(board.require_display_name),
        "quick_done_column_id": board.quick_done_column_id,
        "quick_done_auto_archive": bool(board.quick_done_auto_archive),
        "quick_reassign_column_id": board.quick_reassign_column_id,
        "quick_reassign_to": board.quick_reassign_to,
        "created_at": timestamp(board.created_at),
        "updated_at": timestamp(board.updated_at or board.created_at),
    }


def task_view(card, column_names: dict[str, str], comment_count: int,
              at: datetime) -> dict:
    """A card row (Core) as the contract's TaskResponse. An expired claim reads as
    unclaimed, as it does everywhere in Tack."""
    row = card._mapping
    claimed = bool(row["claimed_by"]) and row["claim_expires_at"] is not None \
        and row["claim_expires_at"] > at
    return {
        "id": row["id"],
        "board_id": row["board_id"],
        "column_id": row["column_key"],
        "column_name": column_names.get(row["column_key"], row["column_key"]),
        "title": row["title"],
        "description": row["description"] or "",
        "priority": kanban_priority(row["priority"]),
        "position": row["position"],
        "created_by": row["created_by"] or "",
        "assigned_to": row["assignee"] or None,
        "claimed_by": row["claimed_by"] if claimed else None,
        "claimed_at": timestamp(row["claimed_at"]) if claimed else None,
        "labels": list(row["tags"] or []),
        "metadata": row["metadata"] or {},
        "due_at": timestamp(row["due_at"]),
        "completed_at": timestamp(row["completed_at"]),
        "archived_at": timestamp(row["archived_at"]),
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
        "comment_count": comment_count,
    }


def event_type(action: str) -> str:
    return EVENT_TYPES.get(action, action)


def event_data(event, note) -> dict:
    """An event's `data`: a comment's message, actor and mentions; a move's columns;
    otherwise Tack's details line."""
    if event.action == "note_added":
        if note is not None:
            return {"message": note.content, "actor": note.author or "",
                    "mentions": list(note.mentions or [])}
        return {"message": event.details, "actor": event.actor, "mentions": []}
    if event.action in ("moved", "completed"):
        found = MOVE_DETAILS.match(event.details or "")
        if found:
            return {"from_column_id": found["source"], "to_column_id": found["target"]}
    return {"details": event.details} if event.details else {}


def event_view(event, note) -> dict:
    return {"id": str(event.seq), "task_id": event.card_id,
            "event_type": event_type(event.action), "actor": event.actor or "",
            "data": event_data(event, note), "created_at": timestamp(event.created_at),
            "seq": event.seq}


# The contract's live event for each of Tack's card actions. Actions not named here
# (board and column changes) have no contract event: streams and webhooks skip them.
CONTRACT_EVENTS = {
    "created": "task.created",
    "deleted": "task.deleted",
    "claimed": "task.claimed",
    "released": "task.released",
    "claim_expired": "task.released",
    "moved": "task.moved",
    "completed": "task.moved",
    "note_added": "task.comment",
    "updated": "task.updated",
    "archived": "task.updated",
    "unarchived": "task.updated",
    "decision_requested": "task.updated",
    "decided": "task.updated",
    "approval_requested": "task.updated",
    "approval_approved": "task.updated",
    "approval_denied": "task.updated",
    "dependency_added": "task.updated",
    "dependency_removed": "task.updated",
}


def contract_event_type(action: str) -> str | None:
    """The one mapping from the log's actions to the contract's SSE and webhook event
    types (task.created ... task.comment); None for an action the contract has no
    event for."""
    return CONTRACT_EVENTS.get(action)


def event_title(event, current_titles: dict[str, str]) -> str | None:
    """The task's title in an event's payload (a webhook or stream delivers it later
    than it happened): a created task's title as created, which its event keeps; a
    deleted task's from its event; otherwise the task's title now."""
    if event.action == "created":
        return event.details
    title = current_titles.get(event.card_id)
    if title is None and event.action == "deleted":
        title = (event.details or "").split(": ", 1)[0] or None
    return title


def contract_payload(event, note, title: str | None) -> dict:
    """The contract's webhook payload for one card event (also each SSE event's
    data): {event, board_id, data: {task_id, title, actor, ...}, timestamp}, plus
    `seq`, the log position a consumer can resume after."""
    data = {"task_id": event.card_id, "title": title, "actor": event.actor or ""}
    data.update(event_data(event, note))
    return {"event": contract_event_type(event.action), "board_id": event.board_id,
            "data": data, "timestamp": timestamp(event.created_at), "seq": event.seq}
