"""Tack's cards, notes and ledger rows as the Clawboo document's objects."""
from datetime import datetime

from tack.clock import as_utc
from tack.services.workflows import clawboo_priority


def millis(moment: datetime | None) -> int | None:
    """The document's times are numbers: milliseconds since the epoch."""
    return None if moment is None else int(as_utc(moment).timestamp() * 1000)


def task_view(card, side) -> dict:
    """A DbTask. `side` is the task's Clawboo row (None: every default)."""
    return {
        "id": card.id,
        "teamId": card.board_id,
        "title": card.title,
        "description": card.description or "",
        "status": card.column_key,
        "priority": clawboo_priority(card.priority, side.priority if side else None),
        "assigneeAgentId": card.assignee or None,
        "assigneeRuntime": (side.assignee_runtime if side else None) or None,
        "parentTaskId": side.parent_task_id if side else None,
        "verificationVerdict": side.verdict if side else "unverified",
        "verificationDetail": (side.verdict_detail if side else "") or None,
        "droppedAt": millis(side.dropped_at) if side else None,
        "createdAt": millis(card.created_at),
        "updatedAt": millis(card.updated_at),
    }


def comment_view(note, author_type: str | None) -> dict:
    return {
        "id": str(note.id),
        "taskId": note.card_id,
        "authorAgentId": note.author or None,
        "authorType": author_type or ("agent" if note.author else "user"),
        "body": note.content,
        "createdAt": millis(note.created_at),
    }


def ancestor_view(card, side) -> dict:
    return {"id": card.id, "parent_task_id": side.parent_task_id if side else None,
            "title": card.title, "status": card.column_key}


def execution_view(execution) -> dict:
    return {
        "id": execution.id,
        "taskId": execution.card_id,
        "executorType": execution.executor_type,
        "status": execution.status,
        "runReason": execution.run_reason or None,
        "beforeCommit": execution.before_commit,
        "afterCommit": execution.after_commit,
        "inputTokens": execution.input_tokens,
        "outputTokens": execution.output_tokens,
        "costUsd": execution.cost_usd,
        "summary": execution.summary,
        "error": execution.error,
        "createdAt": millis(execution.created_at),
        "finishedAt": millis(execution.finished_at),
    }


def override_view(override) -> dict:
    return {
        "id": override.id,
        "teamId": override.board_id,
        "taskId": override.card_id,
        "taskTitle": override.task_title,
        "overriddenBy": override.actor,
        "reason": override.reason,
        "overriddenVerdict": override.overridden_verdict,
        "verdictDetail": override.verdict_detail or None,
        "createdAt": millis(override.created_at),
    }


def team_view(board) -> dict:
    return {"id": board.id, "name": board.name, "createdAt": millis(board.created_at)}


def worktree_view(workspace) -> dict:
    """The document's `worktree` object of a provision answer."""
    return {"taskId": workspace.card_id, "worktreePath": workspace.worktree_path,
            "branch": workspace.branch, "baseCommit": workspace.base_commit,
            # Always on a branch (clawboo/task-<id>), never a detached HEAD.
            "detached": False}


def workspace_view(workspace, checked_out: bool) -> dict:
    return {
        "id": workspace.id,
        "taskId": workspace.card_id,
        "kind": workspace.kind,
        "isolation": "worktree",
        "status": workspace.status,
        "checkedOut": checked_out,
        "repoPath": workspace.repo_path,
        "worktreePath": workspace.worktree_path,
        "branch": workspace.branch,
        "baseRef": workspace.base_ref,
        "baseCommit": workspace.base_commit,
        "headCommit": workspace.head_commit,
        "handoff": workspace.handoff,
        "diffStat": workspace.diff_stat or "",
        "verification": workspace.verification,
        "createdAt": millis(workspace.created_at),
        "updatedAt": millis(workspace.updated_at),
    }
