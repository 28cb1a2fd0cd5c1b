"""The `clawboo` workflow: seven statuses (columns with roles), the one transition
table every move obeys (place_card consults check_transition), the atomic claim, the
ready queue, subtasks, cancel-dependents, the executions ledger with its orphan
reconciliation, and the verification gate with its audit log of human overrides.

A team is a board of this workflow; a task is a card on it; its status is the key of
its column (the keys are the status names)."""
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from tack.clock import now
from tack.errors import Conflict, Invalid, NotFound
from tack.models import Board, Card, Column, Note
from tack.models_clawboo import (
    ClawbooCommentAuthor,
    ClawbooTask,
    Execution,
    VerificationOverride,
    Workspace,
)
from tack.services.cards import PRIORITIES, PRIORITY_RANK
from tack.services.transaction import connection, record, session, write_transaction, writing

WORKFLOW = "clawboo"
DEFAULT_TEAM = "clawboo"
# (status = column key, display name, role). Roles are what the rest of Tack reads:
# todo is `ready` work, done is `done` (dependencies finish there), cancelled has a
# role of its own so a cancelled blocker never counts as finished.
CLAWBOO_COLUMNS = (
    ("backlog", "Backlog", "inbox"),
    ("todo", "To do", "ready"),
    ("in_progress", "In progress", "doing"),
    ("in_review", "In review", "review"),
    ("blocked", "Blocked", "blocked"),
    ("done", "Done", "done"),
    ("cancelled", "Cancelled", "cancelled"),
)
STATUSES = tuple(key for key, _, _ in CLAWBOO_COLUMNS)
# The single authority on moves between statuses (a same-status move is a no-op).
TRANSITIONS = {
    "backlog": frozenset({"todo", "blocked", "cancelled"}),
    "todo": frozenset({"in_progress", "blocked", "backlog", "cancelled"}),
    "in_progress": frozenset({"in_review", "done", "blocked", "todo", "cancelled"}),
    "in_review": frozenset({"done", "in_progress", "blocked", "cancelled"}),
    "blocked": frozenset({"todo", "in_progress", "backlog", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}
VERDICTS = ("unverified", "passing", "failing")
FINAL_EXECUTION_STATUSES = ("succeeded", "failed", "timed_out", "cancelled")
PENDING_STATUSES = ("todo", "backlog")
CARDS = Card.__table__
BOARDS = Board.__table__
SIDE = ClawbooTask.__table__


@dataclass(frozen=True)
class HumanOverride:
    """A person's explicit bypass of the verification gate (always audited)."""
    actor: str
    reason: str = ""


def tack_level(priority: int) -> str:
    """Tack stores four levels; a Clawboo integer maps onto them (clamped)."""
    return PRIORITIES[min(max(priority, 0), len(PRIORITIES) - 1)]


def clawboo_priority(stored_level: str, exact: int | None) -> int:
    """The Clawboo integer: the exact one given through Clawboo while the card's Tack
    level still matches it, else the level's rank (another surface changed it)."""
    if exact is not None and tack_level(exact) == stored_level:
        return exact
    return PRIORITY_RANK.get(stored_level, PRIORITY_RANK["normal"])


def priority_sort_sql(side):
    rank = sa.case(PRIORITY_RANK, value=Card.priority, else_=PRIORITY_RANK["normal"])
    level = sa.case((side.priority <= 0, PRIORITIES[0]),
                    *[(side.priority == n, PRIORITIES[n]) for n in range(1, len(PRIORITIES) - 1)],
                    else_=PRIORITIES[-1])
    return sa.case((sa.and_(side.priority.is_not(None), level == Card.priority), side.priority),
                   else_=rank)


# --- Teams --------------------------------------------------------------------------


def ensure_default_team() -> Board:
    """The team tasks go to when none is named. Idempotent; safe in two processes."""
    board = session().get(Board, DEFAULT_TEAM)
    if board is not None:
        return board
    with suppress(sa.exc.IntegrityError):  # another process created it first
        with writing():
            orm = session()
            orm.add(Board(id=DEFAULT_TEAM, name="Default team", settings={},
                          workflow=WORKFLOW))
            orm.flush()
            orm.add_all(Column(board_id=DEFAULT_TEAM, key=key, name=name, position=i,
                               role=role)
                        for i, (key, name, role) in enumerate(CLAWBOO_COLUMNS))
    return session().get(Board, DEFAULT_TEAM)


@write_transaction
def create_team(*, name: str, actor: str = "") -> Board:
    from tack.services.boards import create_board
    board, _key = create_board(name=name, workflow=WORKFLOW, actor=actor)
    # Nobody is shown a manage key for a team, so none is kept: the admin key (or
    # an access key) governs it, as it does Tack's own board.
    board.manage_key_hash = None
    return board


def list_teams() -> list[Board]:
    return list(session().scalars(
        sa.select(Board).where(Board.workflow == WORKFLOW, Board.archived_at.is_(None))
        .order_by(Board.created_at, Board.id)))


def team(board_id: str) -> Board:
    board = session().get(Board, board_id)
    if board is None:
        raise NotFound("Team not found", "TEAM_NOT_FOUND")
    if board.workflow != WORKFLOW:
        raise Invalid(f"Board {board_id} is not a Clawboo team (workflow "
                      f"{board.workflow})", "NOT_A_TEAM")
    return board


# --- The transition table (consulted by place_card for every move) -------------------


def check_transition(card: Card, source: str, target: Column,
                     human_override: HumanOverride | None = None, actor: str = "",
                     at: datetime | None = None) -> None:
    """Refuse a move the table forbids (409 illegal_transition) or a move to done
    past a failing verdict without a human override (409 verification_required);
    apply what a legal move implies. `card` is the row as read inside the write."""
    # The status as committed, read under a row lock inside this write (PostgreSQL:
    # a concurrent move waits here and then sees the other's result; SQLite's
    # writers are already serialised). The caller's copy may predate it.
    source = connection().execute(
        sa.select(CARDS.c.column_key).where(CARDS.c.id == card.id).with_for_update()
    ).scalar_one_or_none() or source
    if target.key == source:
        return
    if target.key not in TRANSITIONS.get(source, ()):
        raise Conflict(f"Illegal transition {source} -> {target.key}; from {source} "
                       f"a task may go to: {', '.join(sorted(TRANSITIONS.get(source, ()))) or 'nothing (terminal)'}",
                       "illegal_transition")
    side = session().get(ClawbooTask, card.id)
    if target.key == "done":
        verdict = side.verdict if side else "unverified"
        if verdict == "failing" and human_override is None:
            raise Conflict("Verification is failing; a move to done needs a human "
                           "override (humanOverride: true), which is audited",
                           "verification_required")
        if human_override is not None:
            session().add(VerificationOverride(
                board_id=card.board_id, card_id=card.id, task_title=card.title,
                actor=human_override.actor, reason=human_override.reason,
                overridden_verdict=verdict, verdict_detail=side.verdict_detail if side else "",
                created_at=at or now()))
            record("verification_overridden", card_id=card.id, actor=human_override.actor,
                   details=f"verdict {verdict}" + (f": {human_override.reason}"
                                                   if human_override.reason else ""),
                   board_id=card.board_id)
    if target.key == "todo":
        # Back to the queue: nobody holds it and its old verdict no longer applies.
        card.assignee = ""
        if side is not None:
            side.assignee_runtime = None
            side.verdict, side.verdict_detail = "unverified", ""


def _is_clawboo(board_id: str) -> bool:
    return session().scalar(sa.select(Board.workflow).where(Board.id == board_id)) == WORKFLOW


# --- Tasks -----------------------------------------------------------------------------


def _side(card_id: str) -> ClawbooTask:
    side = session().get(ClawbooTask, card_id)
    if side is None:
        side = ClawbooTask(card_id=card_id, verdict="unverified", verdict_detail="")
        session().add(side)
    return side


def task_card(card_id: str) -> Card:
    """The card of a Clawboo task (404 for unknown ids and cards of other boards)."""
    card = session().get(Card, card_id)
    if card is None or not _is_clawboo(card.board_id):
        raise NotFound("Task not found", "not_found")
    return card


def ancestors_of(card_id: str, limit: int = 100) -> list[Card]:
    """Parent first, then its parent...; stops at a repeat (never loops)."""
    chain: list[Card] = []
    seen = {card_id}
    side = session().get(ClawbooTask, card_id)
    while side is not None and side.parent_task_id and side.parent_task_id not in seen \
            and len(chain) < limit:
        parent = session().get(Card, side.parent_task_id)
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent.id)
        side = session().get(ClawbooTask, parent.id)
    return chain


def create_task(*, team_id: str | None = None, **fields) -> Card:
    """A task on `team_id`, or on the default team (made first, in its own
    transaction, so a lost race to make it cannot spoil this write)."""
    return _create_task(team_id=team_id or ensure_default_team().id, **fields)


@write_transaction
def _create_task(*, title: str, description: str = "", status: str = "todo",
                 priority: int | None = None, team_id: str,
                 parent_task_id: str | None = None, actor: str = "") -> Card:
    from tack.services.cards import create_card
    if status not in STATUSES:
        raise Invalid(f"Unknown status '{status}'", "INVALID_STATUS")
    board = team(team_id)
    if parent_task_id:
        parent = session().get(Card, parent_task_id)
        if parent is None or parent.board_id != board.id:
            raise Invalid(f"parentTaskId {parent_task_id}: no such task on this team",
                          "INVALID_PARENT")
        depth = len(ancestors_of(parent.id)) + 2  # the parent's chain, it, the new one
        limit = current_app.config["TACK"].clawboo_max_delegation_depth
        if depth > limit:
            raise Conflict(f"Delegation depth limit: subtasks nest at most {limit} deep",
                           "delegation_depth_exceeded")
    card = create_card(title=title, description=description, column_name=status,
                       priority=tack_level(priority) if priority is not None else "normal",
                       created_by=actor, board_id=board.id)
    side = _side(card.id)
    side.priority = priority
    side.parent_task_id = parent_task_id or None
    session().flush()
    return card


@write_transaction
def update_task(*, card_id: str, status: str | None = None, priority: int | None = None,
                title: str | None = None, description: str | None = None,
                human_override: HumanOverride | None = None, actor: str = "") -> Card:
    """Edit metadata and/or move to `status` (through place_card, so the table and
    the gate apply)."""
    from tack.services.cards import place_card
    card = task_card(card_id)
    at = now()
    if status is not None:
        if status not in STATUSES:
            raise Invalid(f"Unknown status '{status}'", "INVALID_STATUS")
        if human_override is not None and status != "done":
            raise Invalid("humanOverride is only meaningful with status done",
                          "INVALID_OVERRIDE")
        place_card(card, status, None, actor, at, human_override=human_override)
    edited = []
    if title is not None and title != card.title:
        card.title = title
        edited.append("title")
    if description is not None and description != card.description:
        card.description = description
        edited.append("description")
    if priority is not None:
        side = _side(card.id)
        if side.priority != priority or card.priority != tack_level(priority):
            side.priority = priority
            card.priority = tack_level(priority)
            edited.append("priority")
    if edited:
        card.updated_at = at
        record("updated", card_id=card.id, actor=actor, details=", ".join(edited),
               board_id=card.board_id)
    session().flush()
    return card


@write_transaction
def drop_task(*, card_id: str, actor: str = "") -> Card:
    """Soft-delete: off every list (but includeDropped) and unclaimable; kept."""
    card = task_card(card_id)
    side = _side(card.id)
    if side.dropped_at is None:
        side.dropped_at = now()
        record("dropped", card_id=card.id, actor=actor, details=card.title,
               board_id=card.board_id)
    return card


_CLAIM_TODO = (
    sa.update(CARDS)
    .where(
        CARDS.c.id == sa.bindparam("card_id"),
        CARDS.c.column_key == "todo",
        sa.or_(CARDS.c.assignee == "", CARDS.c.assignee.is_(None)),
        CARDS.c.board_id.in_(sa.select(BOARDS.c.id).where(BOARDS.c.workflow == WORKFLOW)),
        ~sa.exists(sa.select(1).where(SIDE.c.card_id == CARDS.c.id,
                                      SIDE.c.dropped_at.is_not(None))),
    )
    .values(assignee=sa.bindparam("agent"))
    .returning(CARDS.c.board_id)
)


@write_transaction
def claim_task(*, card_id: str, agent: str, runtime: str | None = None) -> Card:
    """todo -> in_progress for `agent`, atomically: one conditional UPDATE decides
    the winner (zero rows: Conflict `conflict`, never worth retrying)."""
    from tack.services.cards import place_card
    won = connection().execute(_CLAIM_TODO, {"card_id": card_id, "agent": agent}).first()
    if won is None:
        task_card(card_id)  # 404 when there is no such task
        raise Conflict("The task is not claimable (another worker holds it, or it is "
                       "not in todo)", "conflict")
    card = session().get(Card, card_id)
    at = now()
    place_card(card, "in_progress", None, agent, at)
    _side(card.id).assignee_runtime = runtime or None
    record("claimed", card_id=card.id, actor=agent,
           details=f"claimed ({runtime})" if runtime else "claimed", board_id=card.board_id)
    session().flush()
    return card


def task_rows(*, team_id: str | None = None, status: str | None = None,
              ready: bool = False, include_dropped: bool = False,
              card_ids: list[str] | None = None) -> list[tuple[Card, ClawbooTask | None]]:
    """Tasks with their Clawboo fields. ready: todo, not dropped, every dependency
    done, by priority (highest first) then most recently updated; otherwise newest
    update first."""
    from tack.services.dependencies import has_unfinished_blocker
    side = sa.orm.aliased(ClawbooTask)
    query = (sa.select(Card, side).outerjoin(side, side.card_id == Card.id)
             .join(Board, Board.id == Card.board_id).where(Board.workflow == WORKFLOW))
    if team_id:
        query = query.where(Card.board_id == team(team_id).id)
    if card_ids is not None:
        query = query.where(Card.id.in_(card_ids))
    not_dropped = sa.or_(side.dropped_at.is_(None), side.card_id.is_(None))
    if ready:
        query = query.where(Card.column_key == "todo", not_dropped,
                            sa.not_(has_unfinished_blocker(Card.id)))
        query = query.order_by(priority_sort_sql(side).desc(), Card.updated_at.desc(),
                               Card.created_at.desc(), Card.id)
    else:
        if status:
            query = query.where(Card.column_key == status)
        if not include_dropped:
            query = query.where(not_dropped)
        query = query.order_by(Card.updated_at.desc(), Card.created_at.desc(), Card.id)
    return [(row[0], row[1]) for row in session().execute(query)]


def task_detail(card_id: str) -> dict:
    card = task_card(card_id)
    notes = list(session().scalars(sa.select(Note).where(Note.card_id == card_id)
                                   .order_by(Note.id)))
    types = {}
    if notes:
        types = dict(session().execute(
            sa.select(ClawbooCommentAuthor.note_id, ClawbooCommentAuthor.author_type)
            .where(ClawbooCommentAuthor.note_id.in_([n.id for n in notes]))).all())
    return {"card": card, "side": session().get(ClawbooTask, card_id), "notes": notes,
            "author_types": types, "ancestors": [
                (a, session().get(ClawbooTask, a.id)) for a in ancestors_of(card_id)]}


@write_transaction
def add_comment(*, card_id: str, body: str, author: str = "",
                author_type: str = "agent") -> Note:
    from tack.services.cards import add_note_to
    card = task_card(card_id)
    note_id = add_note_to(card, author, body, now(), source="clawboo")
    session().add(ClawbooCommentAuthor(note_id=note_id, author_type=author_type))
    session().flush()
    return session().get(Note, note_id)


# --- Dependencies ------------------------------------------------------------------------

_DEPENDENTS = sa.text(
    """WITH RECURSIVE downstream(card_id) AS (
           SELECT blocked_id FROM dependencies WHERE blocker_id = :start
           UNION
           SELECT dependencies.blocked_id FROM dependencies
           JOIN downstream ON dependencies.blocker_id = downstream.card_id
       )
       SELECT card_id FROM downstream"""
)


@write_transaction
def link_dependency(*, card_id: str, depends_on: str, actor: str = "") -> bool:
    """`card_id` waits for `depends_on` to be done. Re-linking is harmless (False:
    nothing new). Cycles and self-links are refused by the dependencies service."""
    from tack.services.dependencies import add_dependency
    card = task_card(card_id)
    task_card(depends_on)
    try:
        add_dependency(blocker_id=depends_on, blocked_id=card_id, actor=actor,
                       board_id=card.board_id)
    except Conflict as refused:
        if refused.code == "DEPENDENCY_EXISTS":
            return False
        raise
    return True


@write_transaction
def cancel_dependents(*, card_id: str, actor: str = "") -> list[Card]:
    """Cancel every still-pending (todo, backlog) task downstream of `card_id`,
    transitively; tasks already moving or finished are left alone."""
    from tack.services.cards import place_card
    task_card(card_id)
    downstream = [row.card_id for row in connection().execute(_DEPENDENTS,
                                                              {"start": card_id})]
    at = now()
    cancelled = []
    for card in session().scalars(sa.select(Card).where(Card.id.in_(downstream))
                                  .order_by(Card.created_at, Card.id)):
        if card.column_key in PENDING_STATUSES:
            place_card(card, "cancelled", None, actor or "system", at,
                       f" (dependency {card_id} failed)")
            cancelled.append(card)
    return cancelled


# --- Verification ------------------------------------------------------------------------


@write_transaction
def set_verdict(*, card_id: str, verdict: str, detail: str = "", actor: str = "") -> Card:
    if verdict not in VERDICTS:
        raise Invalid(f"verdict must be one of {', '.join(VERDICTS)}", "INVALID_VERDICT")
    card = task_card(card_id)
    side = _side(card.id)
    side.verdict, side.verdict_detail = verdict, detail
    card.updated_at = now()
    record("verified", card_id=card.id, actor=actor, details=f"{verdict}: {detail}"[:200],
           board_id=card.board_id)
    session().flush()
    return card


def list_overrides(*, team_id: str | None = None,
                   card_id: str | None = None) -> list[VerificationOverride]:
    query = sa.select(VerificationOverride)
    if team_id:
        query = query.where(VerificationOverride.board_id == team_id)
    if card_id:
        query = query.where(VerificationOverride.card_id == card_id)
    return list(session().scalars(query.order_by(VerificationOverride.id)))


# --- Executions ----------------------------------------------------------------------------


@write_transaction
def open_execution(*, card_id: str, executor_type: str, before_commit: str | None = None,
                   run_reason: str = "") -> Execution:
    """Record a run that starts now; the task must be claimed (in_progress)."""
    card = task_card(card_id)
    if card.column_key != "in_progress":
        raise Conflict(f"Open an execution after a claim: the task is {card.column_key}, "
                       "not in_progress", "not_claimed")
    last = session().scalar(sa.select(sa.func.max(Execution.sequence))
                            .where(Execution.card_id == card_id))
    execution = Execution(id=str(uuid.uuid4()), card_id=card_id, executor_type=executor_type,
                          status="running", before_commit=before_commit,
                          run_reason=run_reason, sequence=(last or 0) + 1, created_at=now())
    session().add(execution)
    record("execution_started", card_id=card_id, actor=executor_type,
           details=f"execution {execution.id}", board_id=card.board_id)
    session().flush()
    return execution


_CLOSE = (sa.update(Execution.__table__)
          .where(Execution.__table__.c.id == sa.bindparam("execution_id"),
                 Execution.__table__.c.status.in_(("queued", "running"))))


@write_transaction
def close_execution(*, execution_id: str, status: str, summary: str | None = None,
                    after_commit: str | None = None, input_tokens: int | None = None,
                    output_tokens: int | None = None, cost_usd: float | None = None,
                    error: str | None = None) -> Execution:
    """Close a running execution with its outcome, once (a second close, or one
    after reconciliation timed it out, is a Conflict)."""
    if status not in FINAL_EXECUTION_STATUSES:
        raise Invalid(f"status must be one of {', '.join(FINAL_EXECUTION_STATUSES)}",
                      "INVALID_STATUS")
    execution = session().get(Execution, execution_id)
    if execution is None:
        raise NotFound("Execution not found", "not_found")
    closed = connection().execute(_CLOSE.values(
        status=status, summary=summary, after_commit=after_commit, input_tokens=input_tokens,
        output_tokens=output_tokens, cost_usd=cost_usd, error=error, finished_at=now()),
        {"execution_id": execution_id})
    if not closed.rowcount:
        raise Conflict(f"Execution already closed ({execution.status})", "already_closed")
    card = session().get(Card, execution.card_id)
    record("execution_finished", card_id=execution.card_id, actor=execution.executor_type,
           details=f"execution {execution_id}: {status}", board_id=card.board_id)
    session().expire(execution)
    return session().get(Execution, execution_id)


def list_executions(card_id: str) -> list[Execution]:
    task_card(card_id)
    return list(session().scalars(sa.select(Execution).where(Execution.card_id == card_id)
                                  .order_by(Execution.sequence, Execution.created_at)))


def execution_totals(executions: list[Execution]) -> dict:
    return {
        "inputTokens": sum(e.input_tokens or 0 for e in executions),
        "outputTokens": sum(e.output_tokens or 0 for e in executions),
        "costUsd": round(sum(e.cost_usd or 0 for e in executions), 6),
    }


# --- Orphan reconciliation (a scheduled sweep) -----------------------------------------------


def reconcile_orphans(at: datetime, ttl_minutes: int) -> int:
    """Release to todo every in_progress task whose running execution has gone silent
    (task not updated and execution open for over `ttl_minutes`): the execution is
    marked timed_out and the task gets a system comment saying why. Idempotent and
    safe in two processes: each release re-checks inside its own transaction."""
    cutoff = at - timedelta(minutes=ttl_minutes)
    silent = session().execute(
        sa.select(Execution.id, Execution.card_id)
        .join(Card, Card.id == Execution.card_id)
        .join(Board, Board.id == Card.board_id)
        .where(Execution.status == "running", Execution.created_at < cutoff,
               Card.column_key == "in_progress", Card.updated_at < cutoff,
               Board.workflow == WORKFLOW)
        .order_by(Execution.created_at)).all()
    released = 0
    for execution_id, card_id in silent:
        released += _release_orphan(execution_id, card_id, at, cutoff, ttl_minutes)
    return released


def _release_orphan(execution_id: str, card_id: str, at: datetime, cutoff: datetime,
                    ttl_minutes: int) -> int:
    from tack.services.cards import add_note_to, place_card
    reason = (f"orphan reconciliation: execution {execution_id} silent for over "
              f"{ttl_minutes} minutes; task released to todo")
    with writing():
        card = session().get(Card, card_id)
        if card is None or card.column_key != "in_progress" or card.updated_at >= cutoff:
            return 0
        timed_out = connection().execute(
            _CLOSE.values(status="timed_out", error=reason, finished_at=at),
            {"execution_id": execution_id})
        if not timed_out.rowcount:
            return 0
        place_card(card, "todo", None, "system", at, " (orphan reconciliation)")
        note_id = add_note_to(card, "system", reason, at, source="clawboo")
        session().add(ClawbooCommentAuthor(note_id=note_id, author_type="system"))
        record("execution_finished", card_id=card_id, actor="system",
               details=f"execution {execution_id}: timed_out", board_id=card.board_id)
    return 1


# --- The team page's read --------------------------------------------------------------------


def team_overview(team_id: str) -> dict:
    """Everything the team page shows: tasks by status, which are ready, each task's
    dependencies, executions (with totals), verdict and workspace."""
    from tack.services.dependencies import list_dependencies
    board = team(team_id)
    rows = task_rows(team_id=board.id)
    ready = {card.id for card, _ in task_rows(team_id=board.id, ready=True)}
    ids = [card.id for card, _ in rows]
    runs: dict[str, list[Execution]] = {card_id: [] for card_id in ids}
    if ids:
        for execution in session().scalars(
                sa.select(Execution).where(Execution.card_id.in_(ids))
                .order_by(Execution.sequence, Execution.created_at)):
            runs[execution.card_id].append(execution)
    waits_for: dict[str, list[dict]] = {card_id: [] for card_id in ids}
    for dependency in list_dependencies(board_id=board.id):
        if dependency["blocked_id"] in waits_for:
            waits_for[dependency["blocked_id"]].append(dependency)
    workspaces = {}
    if ids:
        workspaces = {workspace.card_id: workspace for workspace in session().scalars(
            sa.select(Workspace).where(Workspace.card_id.in_(ids)))}
    by_status = {status: [] for status in STATUSES}
    for card, side in rows:
        by_status.setdefault(card.column_key, []).append((card, side))
    return {"team": board, "by_status": by_status, "ready": ready, "executions": runs,
            "totals": {card_id: execution_totals(found) for card_id, found in runs.items()},
            "waits_for": waits_for, "workspaces": workspaces}


def task_in_team(card_id: str, team_id: str) -> Card:
    card = task_card(card_id)
    if card.board_id != team_id:
        raise NotFound("Task not found on this team", "not_found")
    return card
