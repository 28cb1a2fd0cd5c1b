"""/clawboo/api: teams, tasks, claims, comments, dependencies, executions, the
verification gate and workspaces. Each view reads the request, calls one service, translates."""
from flask import request
from flask_smorest import Blueprint

from tack.api.responses import json_response
from tack.clawboo import require_key
from tack.clawboo import schemas as s
from tack.clawboo.translate import (
    ancestor_view,
    comment_view,
    execution_view,
    override_view,
    task_view,
    team_view,
    workspace_view,
    worktree_view,
)
from tack.services import workflows, workspaces
from tack.services.transaction import session

blp = Blueprint("clawboo", __name__, url_prefix="/clawboo/api",
                description="Clawboo board API (seeds/clawboo-board-api.md)")
blp.before_request(require_key)


def task_body(card_id: str) -> dict:
    """The task as it now stands, read back after the write."""
    card = workflows.task_card(card_id)
    return task_view(card, session().get(workflows.ClawbooTask, card_id))


def actor_of(data: dict) -> str:
    return (data.get("overriddenBy") or request.headers.get("X-Actor") or "human").strip()


# --- Teams (Tack's choice: the document does not create teams) --------------------------


@blp.route("/teams", methods=["POST"])
@blp.arguments(s.ClawbooTeamCreate())
def create_team(data):
    """Create a team: a board of the clawboo workflow."""
    board = workflows.create_team(name=data["name"])
    return json_response({"team": team_view(board)}, 201)


@blp.route("/teams", methods=["GET"])
def list_teams():
    """Every team (clawboo board), oldest first."""
    return json_response({"teams": [team_view(board) for board in workflows.list_teams()]})


# --- Tasks ------------------------------------------------------------------------------------


@blp.route("/board", methods=["GET"])
@blp.arguments(s.ClawbooTaskListArgs(), location="query")
def list_tasks(args):
    """Tasks, newest update first; ready=true: claimable todo tasks whose dependencies
    are all done, by priority then update time."""
    ready = args["ready"] == "true"
    rows = workflows.task_rows(team_id=args["teamId"], status=None if ready else args["status"],
                               ready=ready, include_dropped=args["includeDropped"] == "true")
    return json_response({"tasks": [task_view(card, side) for card, side in rows]})


@blp.route("/board", methods=["POST"])
@blp.arguments(s.ClawbooTaskCreate())
def create_task(data):
    """Create a task (todo unless a status is given)."""
    card = workflows.create_task(
        title=data["title"], description=data["description"], status=data["status"],
        priority=data["priority"], team_id=data["teamId"], parent_task_id=data["parentTaskId"])
    return json_response({"task": task_body(card.id)})


@blp.route("/board/<task_id>", methods=["GET"])
def get_task(task_id):
    """One task, its comments (oldest first) and its ancestor chain (parent first)."""
    detail = workflows.task_detail(task_id)
    return json_response({
        "task": task_view(detail["card"], detail["side"]),
        "comments": [comment_view(note, detail["author_types"].get(note.id))
                     for note in detail["notes"]],
        "ancestors": [ancestor_view(card, side) for card, side in detail["ancestors"]],
    })


@blp.route("/board/<task_id>", methods=["PATCH"])
@blp.arguments(s.ClawbooTaskPatch())
def update_task(data, task_id):
    """Transition (the state machine and the verification gate apply) and/or edit."""
    override = None
    if data.get("humanOverride"):
        override = workflows.HumanOverride(actor=actor_of(data),
                                           reason=data.get("overrideReason", ""))
    card = workflows.update_task(
        card_id=task_id, status=data.get("status"), priority=data.get("priority"),
        title=data.get("title"), description=data.get("description"),
        human_override=override, actor=actor_of(data) if override else "")
    return json_response({"ok": True, "task": task_body(card.id)})


@blp.route("/board/<task_id>", methods=["DELETE"])
def drop_task(task_id):
    """Tack's addition: soft-delete (listed again with includeDropped=true)."""
    workflows.drop_task(card_id=task_id)
    return json_response({"ok": True, "task": task_body(task_id)})


@blp.route("/board/<task_id>/claim", methods=["POST"])
@blp.arguments(s.ClawbooClaim())
def claim_task(data, task_id):
    """Atomically claim a todo task: one winner; the others get 409 conflict."""
    card = workflows.claim_task(card_id=task_id, agent=data["assigneeAgentId"],
                                runtime=data["assigneeRuntime"])
    return json_response({"ok": True, "task": task_body(card.id)})


@blp.route("/board/<task_id>/comments", methods=["POST"])
@blp.arguments(s.ClawbooComment())
def add_comment(data, task_id):
    note = workflows.add_comment(card_id=task_id, body=data["body"],
                                 author=data["authorAgentId"] or "",
                                 author_type=data["authorType"])
    return json_response({"ok": True, "comment": comment_view(note, data["authorType"])})


# --- Dependencies ----------------------------------------------------------------------------


@blp.route("/board/<task_id>/deps", methods=["POST"])
@blp.arguments(s.ClawbooDependency())
def link_dependency(data, task_id):
    """The task will not be ready until dependsOnTaskId is done (re-linking is
    harmless; cycles are refused)."""
    created = workflows.link_dependency(card_id=task_id, depends_on=data["dependsOnTaskId"])
    return json_response({"ok": True, "created": created, "dependency": {
        "taskId": task_id, "dependsOnTaskId": data["dependsOnTaskId"]}})


@blp.route("/board/<task_id>/cancel-dependents", methods=["POST"])
def cancel_dependents(task_id):
    """Cancel still-pending (todo, backlog) transitive dependents."""
    cancelled = workflows.cancel_dependents(card_id=task_id)
    return json_response({"cancelled": [{"id": c.id, "title": c.title} for c in cancelled]})


# --- Executions -------------------------------------------------------------------------------


@blp.route("/board/<task_id>/executions", methods=["GET"])
def list_executions(task_id):
    """The run ledger, oldest first, with its token and cost totals."""
    executions = workflows.list_executions(task_id)
    return json_response({"executions": [execution_view(e) for e in executions],
                          "totals": workflows.execution_totals(executions)})


@blp.route("/board/<task_id>/executions", methods=["POST"])
@blp.arguments(s.ClawbooExecutionOpen())
def open_execution(data, task_id):
    execution = workflows.open_execution(
        card_id=task_id, executor_type=data["executorType"],
        before_commit=data["beforeCommit"], run_reason=data["runReason"])
    return json_response({"ok": True, "execution": execution_view(execution)})


@blp.route("/board/executions/<execution_id>", methods=["PATCH"])
@blp.arguments(s.ClawbooExecutionClose())
def close_execution(data, execution_id):
    execution = workflows.close_execution(
        execution_id=execution_id, status=data["status"], summary=data["summary"],
        after_commit=data["afterCommit"], input_tokens=data["inputTokens"],
        output_tokens=data["outputTokens"], cost_usd=data["costUsd"], error=data["error"])
    return json_response({"ok": True, "execution": execution_view(execution)})


# --- Verification (Tack's additions: the document sets verdicts elsewhere) ------------------


@blp.route("/board/<task_id>/verification", methods=["PUT"])
@blp.arguments(s.ClawbooVerification())
def set_verification(data, task_id):
    """Record the task's verification verdict (unverified, passing, failing)."""
    card = workflows.set_verdict(card_id=task_id, verdict=data["verdict"],
                                 detail=data["detail"], actor=data["actor"])
    return json_response({"ok": True, "task": task_body(card.id)})


@blp.route("/audit/overrides", methods=["GET"])
@blp.arguments(s.ClawbooAuditArgs(), location="query")
def list_overrides(args):
    """The audit log of human overrides of the verification gate, oldest first."""
    overrides = workflows.list_overrides(team_id=args["teamId"], card_id=args["taskId"])
    return json_response({"overrides": [override_view(o) for o in overrides]})


# --- Workspaces: a git worktree per task ------------------------------------------------------


def workspace_actor() -> str:
    return request.headers.get("X-Actor", "").replace("\x00", "").strip()[:200] or "clawboo"


def workspace_body(workspace) -> dict:
    return workspace_view(workspace, workspaces.checked_out(workspace))


@blp.route("/board/<task_id>/workspace", methods=["POST"])
@blp.arguments(s.ClawbooWorkspaceCreate())
def provision_workspace(data, task_id):
    """Provision a git worktree, branch clawboo/task-<id> and the SoR scaffold (a
    paused workspace is checked out again). research/review: 422 no_isolation."""
    workspace = workspaces.provision(
        card_id=task_id, repo_path=data["repoPath"], kind=data["kind"],
        base_ref=data["baseRef"], base_sha=data["baseSha"], actor=workspace_actor())
    return json_response({"ok": True, "worktree": worktree_view(workspace),
                          "workspaceId": workspace.id, "isolation": "worktree"})


@blp.route("/board/<task_id>/workspace", methods=["GET"])
def read_workspace(task_id):
    """Cold resume: the workspace row and the state rebuilt from the SoR files."""
    workspace, state = workspaces.resume_state(task_id)
    return json_response({"ok": True, "workspace": workspace_body(workspace), "state": state})


@blp.route("/board/<task_id>/workspace", methods=["PATCH"])
@blp.arguments(s.ClawbooWorkspaceAction())
def act_on_workspace(data, task_id):
    """pause (commit, drop the worktree, keep the branch), complete (the verification
    gate), or resume (Tack's addition: check the branch out again)."""
    action, actor = data["action"], workspace_actor()
    if action == "pause":
        workspace, committed = workspaces.pause(card_id=task_id, actor=actor)
        return json_response({"ok": True, "action": action, "committed": committed,
                              "workspace": workspace_body(workspace)})
    if action == "resume":
        workspace = workspaces.resume(card_id=task_id, actor=actor)
        return json_response({"ok": True, "action": action,
                              "workspace": workspace_body(workspace)})
    outcome = workspaces.complete(card_id=task_id, actor=actor)
    return json_response({"ok": True, "action": action, "passed": outcome["verdict"]["passed"],
                          "verdict": outcome["verdict"],
                          "workspace": workspace_body(outcome["workspace"]),
                          "task": task_body(task_id)})


@blp.route("/board/<task_id>/workspace/handoff", methods=["POST"])
@blp.arguments(s.ClawbooHandoff())
def write_handoff(data, task_id):
    """Write the clock-out AGENT_HANDOFF.json into the task's worktree."""
    document = workspaces.handoff(
        card_id=task_id, handoff_from=data["handoffFrom"], runtime=data["runtime"],
        completed_subtasks=data["completedSubtasks"],
        broken_or_unverified=data["brokenOrUnverified"], next_best_step=data["nextBestStep"])
    return json_response({"ok": True, "handoff": document})


@blp.route("/board/<task_id>/workspace/detail", methods=["GET"])
def workspace_detail(task_id):
    """The SoR files, and the unified diff and diff-stat against the base
    (bookkeeping files excluded)."""
    found = workspaces.detail(task_id)
    return json_response({
        "ok": True, "workspace": workspace_body(found["workspace"]), "files": found["files"],
        "source": found["source"], "diff": found["diff"], "diffStat": found["diffStat"],
        "diffTruncated": found["diffTruncated"]})
