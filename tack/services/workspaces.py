"""Clawboo workspaces: a git worktree and branch `clawboo/task-<id>` per task, made
outside the user's repository, with the system-of-record (SoR) files a different
runtime or a person needs to pick the work up (TASK.md, task-progress.md,
DECISIONS.json, init.sh, VERIFICATION.md, AGENT_HANDOFF.json).

Safety, because a request names a path on the server's machine:
- off unless the admin lists TACK_WORKSPACE_ROOTS; a repoPath is resolved (realpath:
  `..` and symlinks) and must lie inside one, and be a git work tree;
- git runs without a shell, with a timeout, with hooks and fsmonitor off, with `--`
  or --end-of-options before anything a request named, refs checked first;
- verification commands come only from VERIFICATION.md, run in the worktree with a
  time limit and a bare environment, and only when TACK_WORKSPACE_COMMANDS is on.

Git work happens outside database transactions (a slow checkout must not hold the
write lock); a per-task file lock keeps the disk and the row in step instead. A crash
mid-provision leaves at most a worktree and an untouched branch with no row: the
next provision under the lock removes them and starts again."""
import fcntl
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from tack.clock import now
from tack.errors import Conflict, Forbidden, Invalid, NotFound, TackError
from tack.models_clawboo import Workspace
from tack.services import workflows
from tack.services.transaction import record, session, writing

KINDS = ("code", "research", "review")
# Kinds with no file mutations to isolate.
NO_ISOLATION_KINDS = frozenset({"research", "review"})
ACTIONS = ("pause", "complete", "resume")
TASK_FILE, PROGRESS_FILE, DECISIONS_FILE = "TASK.md", "task-progress.md", "DECISIONS.json"
INIT_FILE, VERIFICATION_FILE, HANDOFF_FILE = "init.sh", "VERIFICATION.md", "AGENT_HANDOFF.json"
SOR_FILES = (TASK_FILE, PROGRESS_FILE, DECISIONS_FILE, INIT_FILE, VERIFICATION_FILE,
             HANDOFF_FILE)
# Bookkeeping, not the task's work: left out of every diff.
DIFF_PATHSPEC = (".", *(f":(exclude){name}" for name in SOR_FILES))
# Settings that would let a repository run its own programs when git runs.
GIT_SAFETY = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
              "-c", "commit.gpgsign=false", "-c", "core.quotepath=false")
COMMIT_IDENTITY = {"GIT_AUTHOR_NAME": "Tack workspace", "GIT_AUTHOR_EMAIL": "tack@localhost",
                   "GIT_COMMITTER_NAME": "Tack workspace",
                   "GIT_COMMITTER_EMAIL": "tack@localhost"}
# What verification commands inherit from the server's environment (no secrets).
COMMAND_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
SHA = re.compile(r"[0-9a-fA-F]{4,64}")
TASK_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
VERIFY_FENCE = re.compile(r"^```\s*(sh|bash|shell)\s*$")
DIFF_MAX_CHARS = 1_000_000
OUTPUT_KEPT_CHARS = 4000


class NoIsolation(TackError, status=422, code="no_isolation"):
    """A research or review task has no file mutations to isolate."""


class GitFailed(TackError, status=409, code="git_failed"):
    """A git command in the workspace failed."""


class GitTimedOut(TackError, status=504, code="git_timeout"):
    """A git command in the workspace ran past its time limit."""


def settings():
    return current_app.config["TACK"]


# --- git, safely -------------------------------------------------------------------------


def git_environment(extra: dict | None = None) -> dict:
    """The server's environment without GIT_* variables (a GIT_DIR there would point
    every command elsewhere), never prompting, in the C locale."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("GIT_")}
    environment.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", **COMMIT_IDENTITY)
    environment.update(extra or {})
    return environment


def git(*args: str, cwd: Path, check: bool = True,
        environment: dict | None = None) -> subprocess.CompletedProcess:
    """Run git with a list argv (no shell) and the configured timeout."""
    try:
        done = subprocess.run(
            ["git", *GIT_SAFETY, *args], cwd=str(cwd), capture_output=True,
            encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL,
            timeout=settings().git_timeout_seconds, env=git_environment(environment))
    except subprocess.TimeoutExpired:
        raise GitTimedOut(f"git {args[0]} took longer than "
                          f"{settings().git_timeout_seconds:g} s") from None
    except OSError as failure:
        raise GitFailed(f"git could not run: {failure.strerror}") from None
    if check and done.returncode != 0:
        raise GitFailed(f"git {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done


def check_ref_name(name: str, field: str) -> None:
    """A ref a request named (or one made from it) must be a well-formed name."""
    if not name or name.startswith("-") or git(
            "check-ref-format", "--allow-onelevel", name, cwd=Path("/"),
            check=False).returncode != 0:
        raise Invalid(f"{field} {name!r} is not a valid git ref name", f"INVALID_{field.upper()}")


def commit_of(repo: Path, ref: str) -> str | None:
    found = git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                cwd=repo, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def branch_tip(repo: Path, branch: str) -> str | None:
    return commit_of(repo, f"refs/heads/{branch}")


# --- Paths the admin allows ---------------------------------------------------------------


def is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def workspaces_dir() -> Path:
    return settings().workspaces_dir


def allowed_repository(repo_path: str) -> Path:
    """The repository's top folder, resolved, when it lies inside an allowed root."""
    roots = settings().workspace_roots
    if not roots:
        raise Forbidden("Workspaces are off on this server: the admin enables them by "
                        "listing allowed directories in TACK_WORKSPACE_ROOTS",
                        "workspaces_disabled")
    if not os.path.isabs(repo_path):
        raise Invalid("repoPath must be an absolute path", "INVALID_REPO_PATH")
    if ".." in Path(repo_path).parts:
        raise Forbidden("repoPath must not contain '..'", "path_not_allowed")
    allowed = [Path(os.path.realpath(root)) for root in roots]

    def check_inside(path: Path) -> None:
        if not any(is_inside(path, root) for root in allowed):
            raise Forbidden("repoPath is outside the directories this server allows "
                            "(TACK_WORKSPACE_ROOTS)", "path_not_allowed")

    real = Path(os.path.realpath(repo_path))
    check_inside(real)
    if is_inside(real, workspaces_dir()):
        raise Forbidden("repoPath is inside the workspaces folder", "path_not_allowed")
    if not real.is_dir():
        raise Invalid("repoPath is not a directory", "NOT_A_GIT_REPOSITORY")
    inside = git("rev-parse", "--is-inside-work-tree", "--show-toplevel", cwd=real, check=False)
    lines = inside.stdout.split("\n")
    if inside.returncode != 0 or lines[0].strip() != "true":
        raise Invalid("repoPath is not a git work tree", "NOT_A_GIT_REPOSITORY")
    top = Path(os.path.realpath(lines[1].strip()))
    check_inside(top)  # repoPath may be a folder inside a repository that is not
    if is_inside(workspaces_dir(), top):
        raise Conflict("The workspaces folder (TACK_WORKSPACE_DIR) is inside this "
                       "repository; worktrees must live outside it", "workspace_dir_inside_repo")
    return top


@contextmanager
def task_lock(card_id: str):
    """One workspace operation per task at a time, across processes. The kernel drops
    the lock when its process dies, so a crash never leaves the task locked."""
    if not TASK_ID.fullmatch(card_id):
        raise NotFound("Task not found", "not_found")
    folder = workspaces_dir() / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{card_id}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict("Another workspace operation on this task is running; try "
                           "again when it ends", "workspace_busy") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- SoR files ----------------------------------------------------------------------------


def write_file(folder: Path, name: str, text: str, mode: int = 0o644) -> None:
    """Write a SoR file, replacing (never following) a symlink the branch put there."""
    path = folder / name
    if path.is_symlink():
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)


def read_file(folder: Path, name: str) -> str | None:
    """A SoR file's text; None when absent. A symlink is not followed (it could point
    anywhere on the server)."""
    try:
        descriptor = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(DIFF_MAX_CHARS).decode("utf-8", errors="replace")


def read_from_branch(repo: Path, branch: str, name: str) -> str | None:
    """A SoR file as committed on the branch (the worktree is gone when paused)."""
    found = git("cat-file", "blob", f"refs/heads/{branch}:{name}", cwd=repo, check=False)
    return found.stdout if found.returncode == 0 else None


def scaffold(folder: Path, card, branch: str, base_ref: str, base_commit: str) -> None:
    """The SoR files for a new workspace. init.sh and VERIFICATION.md are the project's
    when the base already has them; the others describe this task and are fresh."""
    at = now().strftime("%Y-%m-%d %H:%M UTC")
    write_file(folder, TASK_FILE,
               f"# {card.title}\n\nTask `{card.id}` on team `{card.board_id}`, branch "
               f"`{branch}` from `{base_ref}` ({base_commit[:12]}).\n\n"
               f"{card.description or ''}\n")
    write_file(folder, PROGRESS_FILE,
               f"# Progress on {card.id}\n\n- {at}: workspace provisioned on `{branch}`\n")
    write_file(folder, DECISIONS_FILE,
               json.dumps({"taskId": card.id, "decisions": []}, indent=2) + "\n")
    if (folder / HANDOFF_FILE).exists() or (folder / HANDOFF_FILE).is_symlink():
        (folder / HANDOFF_FILE).unlink()
    if read_file(folder, INIT_FILE) is None:
        write_file(folder, INIT_FILE,
                   "#!/bin/sh\n# Bring this worktree to a working state (install "
                   "dependencies, build).\n# A runtime picking the task up runs it first.\n"
                   "set -e\n", mode=0o755)
    if read_file(folder, VERIFICATION_FILE) is None:
        write_file(folder, VERIFICATION_FILE,
                   "# Verification\n\nThe gate runs every line of the ```sh blocks below, "
                   "in the worktree, one command per line (no shell: write `sh -c '...'` "
                   "for pipes). All must exit 0 for the task to be done.\n\n"
                   "```sh\n# add the commands that prove this task works, e.g. pytest -q\n"
                   "```\n")


def append_progress(folder: Path, line: str) -> None:
    text = read_file(folder, PROGRESS_FILE) or "# Progress\n\n"
    at = now().strftime("%Y-%m-%d %H:%M UTC")
    write_file(folder, PROGRESS_FILE, text.rstrip("\n") + f"\n- {at}: {line}\n")


def verification_commands(text: str) -> list[str]:
    """Each non-blank, non-comment line inside a ```sh (bash, shell) fenced block."""
    commands, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not inside and VERIFY_FENCE.match(stripped):
            inside = True
        elif inside and stripped.startswith("```"):
            inside = False
        elif inside and stripped and not stripped.startswith("#"):
            commands.append(stripped)
    return commands


# --- Reading rows -------------------------------------------------------------------------


def workspace_of(card_id: str) -> Workspace | None:
    from sqlalchemy import select
    return session().scalar(select(Workspace).where(Workspace.card_id == card_id))


def existing_workspace(card_id: str) -> Workspace:
    workflows.task_card(card_id)
    workspace = workspace_of(card_id)
    if workspace is None:
        raise NotFound("This task has no workspace: provision one with POST "
                       ".../workspace", "no_workspace")
    return workspace


def checked_out(workspace: Workspace) -> bool:
    return workspace.status == "active" and Path(workspace.worktree_path).is_dir()


def require_checkout(workspace: Workspace) -> Path:
    if not checked_out(workspace):
        raise Conflict(f"The workspace is {workspace.status if workspace.status != 'active' else 'not checked out'}: "
                       "resume it first (PATCH .../workspace {\"action\": \"resume\"})",
                       "workspace_not_checked_out")
    return Path(workspace.worktree_path)


# --- Writing rows -------------------------------------------------------------------------


def save(card_id: str, action: str, details: str, actor: str, **fields) -> Workspace:
    """Update the task's workspace row and record the step on the board."""
    with writing():
        card = workflows.task_card(card_id)
        workspace = workspace_of(card_id)
        for name, value in fields.items():
            setattr(workspace, name, value)
        workspace.updated_at = now()
        record(action, card_id=card_id, actor=actor, details=details[:200],
               board_id=card.board_id)
    return workspace_of(card_id)


# --- Provision and resume -------------------------------------------------------------------


def provision(*, card_id: str, repo_path: str, kind: str = "code", base_ref: str | None = None,
              base_sha: str | None = None, actor: str = "") -> Workspace:
    """A worktree on a new branch clawboo/task-<id> from base_sha, or base_ref (HEAD),
    with the SoR scaffold. A task that already has one gets it back (a paused one is
    checked out again)."""
    card = workflows.task_card(card_id)
    if kind in NO_ISOLATION_KINDS:
        raise NoIsolation(f"A {kind} task makes no file changes to isolate: no worktree")
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", "INVALID_KIND")
    repo = allowed_repository(repo_path)
    with task_lock(card.id):
        existing = workspace_of(card.id)
        if existing is not None:
            if Path(existing.repo_path) != repo:
                raise Conflict(f"The task already has a workspace on {existing.repo_path}",
                               "workspace_exists")
            if existing.status == "completed":
                raise Conflict("The task's workspace is completed", "workspace_completed")
            return existing if checked_out(existing) else _resume(existing, actor)
        base_commit, base_name = resolve_base(repo, base_ref, base_sha)
        branch = f"clawboo/task-{card.id}"
        check_ref_name(f"refs/heads/{branch}", "branch")
        path = workspaces_dir() / card.id
        clear_leftovers(repo, path, branch, base_commit)
        git("worktree", "add", "--no-track", "-b", branch, "--", str(path), base_commit,
            cwd=repo)
        try:
            scaffold(path, card, branch, base_name, base_commit)
            with writing():
                card = workflows.task_card(card.id)
                at = now()
                session().add(Workspace(
                    id=str(uuid.uuid4()), card_id=card.id, kind=kind, repo_path=str(repo),
                    worktree_path=str(path), branch=branch, base_ref=base_name,
                    base_commit=base_commit, status="active", diff_stat="",
                    created_at=at, updated_at=at))
                record("workspace_provisioned", card_id=card.id, actor=actor,
                       details=f"{branch} from {base_name} ({base_commit[:12]})",
                       board_id=card.board_id)
        except BaseException:
            clear_leftovers(repo, path, branch, base_commit)
            raise
    return workspace_of(card.id)


def resolve_base(repo: Path, base_ref: str | None, base_sha: str | None) -> tuple[str, str]:
    """(commit, the name it was given by)."""
    if base_sha:
        if not SHA.fullmatch(base_sha):
            raise Invalid("baseSha must be a hexadecimal commit id", "INVALID_BASESHA")
        commit = commit_of(repo, base_sha)
        if commit is None:
            raise Invalid(f"baseSha {base_sha} is not a commit of this repository",
                          "INVALID_BASESHA")
        return commit, base_sha
    name = base_ref or "HEAD"
    check_ref_name(name, "baseRef")
    commit = commit_of(repo, name)
    if commit is None:
        raise Invalid(f"baseRef {name!r} names no commit in this repository",
                      "INVALID_BASEREF")
    return commit, name


def clear_leftovers(repo: Path, path: Path, branch: str, base_commit: str) -> None:
    """What an interrupted provision of this task may have left (it holds the task
    lock and no row names them): the worktree at our path and a branch with nothing
    on it past the base. A branch with its own commits is somebody's work: refused."""
    remove_worktree(repo, path)
    tip = branch_tip(repo, branch)
    if tip is None:
        return
    if tip != base_commit and git("merge-base", "--is-ancestor", "--end-of-options", tip,
                                  base_commit, cwd=repo, check=False).returncode != 0:
        raise Conflict(f"Branch {branch} already exists with commits of its own; delete "
                       "or rename it to provision again", "branch_exists")
    git("update-ref", "-d", f"refs/heads/{branch}", tip, cwd=repo)


def remove_worktree(repo: Path, path: Path) -> None:
    """Whatever is at our worktree path goes, and git forgets it, even when a killed
    `git worktree add` left it locked ("initializing") and half checked out."""
    git("worktree", "unlock", "--", str(path), cwd=repo, check=False)
    git("worktree", "remove", "--force", "--force", "--", str(path), cwd=repo, check=False)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    forget_unreadable_admin_dir(repo, path)
    git("worktree", "prune", cwd=repo)


def forget_unreadable_admin_dir(repo: Path, path: Path) -> None:
    """A `git worktree add` killed while writing .git/worktrees/<name> can leave it
    locked with an empty commondir: git can then neither read, unlock nor prune it, and
    every later `git worktree add` in the repository fails. Ours (named after our
    path, its gitdir naming our path or missing) is deleted by hand."""
    common = git("rev-parse", "--git-common-dir", cwd=repo).stdout.strip()
    admin = (repo / common / "worktrees" / path.name).resolve()
    if not admin.is_dir():
        return
    commondir = admin / "commondir"
    if commondir.is_file() and commondir.read_text().strip():
        return  # readable: git forgets it itself
    gitdir = admin / "gitdir"
    if gitdir.is_file() and Path(gitdir.read_text().strip()).parent.resolve() != path.resolve():
        return  # another worktree's
    shutil.rmtree(admin)


def resume(*, card_id: str, actor: str = "") -> Workspace:
    workspace = existing_workspace(card_id)
    with task_lock(card_id):
        workspace = workspace_of(card_id)
        if workspace.status == "completed":
            raise Conflict("The task's workspace is completed", "workspace_completed")
        if checked_out(workspace):
            return workspace
        return _resume(workspace, actor)


def _resume(workspace: Workspace, actor: str) -> Workspace:
    """Check the kept branch out again at the workspace's path."""
    repo = allowed_repository(workspace.repo_path)
    path = Path(workspace.worktree_path)
    if branch_tip(repo, workspace.branch) is None:
        raise Conflict(f"Branch {workspace.branch} is gone from the repository; the "
                       "workspace cannot be resumed", "branch_missing")
    remove_worktree(repo, path)
    git("worktree", "add", "--", str(path), workspace.branch, cwd=repo)
    return save(workspace.card_id, "workspace_resumed", f"{workspace.branch} checked out",
                actor, status="active")


# --- Pause --------------------------------------------------------------------------------


def commit_all(folder: Path, message: str) -> bool:
    """Commit everything in the worktree (new files too); False when nothing changed."""
    git("add", "-A", "--", ".", cwd=folder)
    if git("diff", "--cached", "--quiet", cwd=folder, check=False).returncode == 0:
        return False
    git("commit", "--no-verify", "-q", "-m", message, cwd=folder)
    return True


def drop_checkout(repo: Path, path: Path) -> None:
    git("worktree", "remove", "--force", "--", str(path), cwd=repo)
    git("worktree", "prune", cwd=repo)


def pause(*, card_id: str, actor: str = "") -> tuple[Workspace, bool]:
    """Commit uncommitted work, drop the worktree, keep the branch. (row, committed?)"""
    existing_workspace(card_id)
    with task_lock(card_id):
        workspace = workspace_of(card_id)
        if workspace.status == "completed":
            raise Conflict("The task's workspace is completed", "workspace_completed")
        if workspace.status == "paused":
            return workspace, False
        repo = allowed_repository(workspace.repo_path)
        path = Path(workspace.worktree_path)
        was_checked_out = checked_out(workspace)
        committed, stat = False, workspace.diff_stat
        if was_checked_out:
            committed = commit_all(path, f"clawboo: pause task {card_id}")
            stat = diff_of(workspace, stat_only=True)
        head = branch_tip(repo, workspace.branch)
        # Paused before the checkout goes: a crash while it is being deleted must not
        # leave a row that calls a half-deleted folder the work (a resume clears it).
        saved = save(card_id, "workspace_paused",
                     f"{workspace.branch} at {(head or '')[:12]}"
                     + (" (uncommitted work committed)" if committed else ""),
                     actor, status="paused", head_commit=head, diff_stat=stat)
        if was_checked_out:
            drop_checkout(repo, path)
        return saved, committed


# --- Handoff ------------------------------------------------------------------------------


def handoff(*, card_id: str, handoff_from: str, runtime: str,
            completed_subtasks: list[str] | None = None,
            broken_or_unverified: list[str] | None = None,
            next_best_step: str = "") -> dict:
    """Write AGENT_HANDOFF.json (the clock-out) into the worktree and keep a copy on
    the row, for the board and for a cold resume."""
    existing_workspace(card_id)
    with task_lock(card_id):
        workspace = workspace_of(card_id)
        path = require_checkout(workspace)
        head = git("rev-parse", "HEAD", cwd=path).stdout.strip()
        document = {
            "taskId": card_id,
            "handoffFrom": handoff_from,
            "runtime": runtime,
            "completedSubtasks": list(completed_subtasks or []),
            "brokenOrUnverified": list(broken_or_unverified or []),
            "nextBestStep": next_best_step,
            "branch": workspace.branch,
            "headCommit": head,
            "createdAt": now().isoformat(),
        }
        write_file(path, HANDOFF_FILE, json.dumps(document, indent=2) + "\n")
        append_progress(path, f"handoff from {handoff_from} ({runtime})"
                        + (f"; next: {next_best_step}" if next_best_step else ""))
        save(card_id, "workspace_handoff",
             f"from {handoff_from} ({runtime})"
             + (f"; next: {next_best_step}" if next_best_step else ""),
             handoff_from, handoff=document, diff_stat=diff_of(workspace, stat_only=True))
    return document


# --- Reads: cold resume and detail ---------------------------------------------------------


def sor_files(workspace: Workspace) -> tuple[dict[str, str | None], str]:
    """Every SoR file's text (None when absent), from the worktree or, without one,
    from the branch; and which of the two it was."""
    if checked_out(workspace):
        folder = Path(workspace.worktree_path)
        return {name: read_file(folder, name) for name in SOR_FILES}, "worktree"
    repo = allowed_repository(workspace.repo_path)
    return {name: read_from_branch(repo, workspace.branch, name) for name in SOR_FILES}, "branch"


def resume_state(card_id: str) -> tuple[Workspace, dict]:
    """The row plus the state a fresh runtime needs, rebuilt from the SoR files."""
    workspace = existing_workspace(card_id)
    files, source = sor_files(workspace)
    handoff_document = None
    if files[HANDOFF_FILE]:
        try:
            handoff_document = json.loads(files[HANDOFF_FILE])
        except ValueError:
            handoff_document = None
    if not isinstance(handoff_document, dict):
        handoff_document = None
    state = {
        "source": source,
        "checkedOut": source == "worktree",
        "handoff": handoff_document,
        "nextBestStep": (handoff_document or {}).get("nextBestStep"),
        "completedSubtasks": (handoff_document or {}).get("completedSubtasks", []),
        "brokenOrUnverified": (handoff_document or {}).get("brokenOrUnverified", []),
        "progress": files[PROGRESS_FILE],
        "init": files[INIT_FILE],
        "verificationCommands": verification_commands(files[VERIFICATION_FILE] or ""),
        "lastVerification": workspace.verification,
    }
    return workspace, state


def diff_of(workspace: Workspace, stat_only: bool = False) -> str:
    """The work against the base, bookkeeping excluded: with a worktree, everything
    in it (uncommitted and new files too, staged in a scratch index so the real one
    is untouched); without, the branch."""
    if checked_out(workspace):
        folder = Path(workspace.worktree_path)
        with tempfile.TemporaryDirectory() as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            git("read-tree", "HEAD", cwd=folder, environment=index)
            git("add", "-A", "--", ".", cwd=folder, environment=index)
            return _diff(folder, ("--cached", workspace.base_commit), stat_only, index)
    repo = allowed_repository(workspace.repo_path)
    tip = branch_tip(repo, workspace.branch) or workspace.head_commit or workspace.base_commit
    return _diff(repo, (workspace.base_commit, tip), stat_only, None)


def _diff(cwd: Path, revisions: tuple, stat_only: bool, environment: dict | None) -> str:
    form = ("--stat=200",) if stat_only else ("--no-color",)
    return git("diff", "--no-ext-diff", "--no-textconv", *form, *revisions, "--",
               *DIFF_PATHSPEC, cwd=cwd, environment=environment).stdout


def detail(card_id: str) -> dict:
    workspace = existing_workspace(card_id)
    files, source = sor_files(workspace)
    diff = diff_of(workspace)
    return {"workspace": workspace, "files": files, "source": source,
            "diff": diff[:DIFF_MAX_CHARS], "diffTruncated": len(diff) > DIFF_MAX_CHARS,
            "diffStat": diff_of(workspace, stat_only=True)}


# --- Complete: the verification gate ------------------------------------------------------------


def run_command(command: str, folder: Path, card_id: str) -> dict:
    """One VERIFICATION.md line, split like a shell would but run without one, in the
    worktree, with the time limit; its whole process group dies at the limit."""
    result = {"command": command, "exitCode": None, "timedOut": False, "output": "",
              "ran": False}
    try:
        argv = shlex.split(command)
    except ValueError as problem:
        result["output"] = f"cannot parse the command: {problem}"
        return result
    environment = {name: os.environ[name] for name in COMMAND_ENVIRONMENT if name in os.environ}
    environment["TACK_TASK_ID"] = card_id
    limit = settings().workspace_command_timeout_seconds
    try:
        process = subprocess.Popen(argv, cwd=str(folder), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=environment, start_new_session=True)
    except OSError as failure:
        result["output"] = f"cannot run {argv[0]}: {failure.strerror}"
        return result
    result["ran"] = True
    try:
        output, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            # A child that left the group still holds the pipe: stop reading it.
            process.stdout.close()
            process.wait()
            output = b""
        result["timedOut"] = True
    result["exitCode"] = process.returncode
    result["output"] = output.decode("utf-8", errors="replace")[-OUTPUT_KEPT_CHARS:]
    return result


def complete(*, card_id: str, actor: str = "") -> dict:
    """Run the gate: every command from VERIFICATION.md in the worktree. Green: the
    verdict passes, the task moves to done through the state machine, the work is
    committed and the checkout dropped (the branch stays). Red: the verdict fails
    (stored, with each command's outcome), the task goes back to in_progress, or to
    blocked when the gate could not run a command; the worktree stays for the fix."""
    if not settings().workspace_commands:
        raise Forbidden("Running verification commands is off on this server (the admin "
                        "enables it with TACK_WORKSPACE_COMMANDS=1)", "commands_disabled")
    existing_workspace(card_id)
    with task_lock(card_id):
        workspace = workspace_of(card_id)
        path = require_checkout(workspace)
        commands = verification_commands(read_file(path, VERIFICATION_FILE) or "")
        if not commands:
            raise Conflict("VERIFICATION.md lists no commands (lines in a ```sh block): "
                           "nothing to verify", "no_verification_commands")
        results = []
        for command in commands:
            results.append(run_command(command, path, card_id))
            if results[-1]["exitCode"] != 0 or results[-1]["timedOut"]:
                break
        passed = all(r["exitCode"] == 0 and not r["timedOut"] for r in results) \
            and len(results) == len(commands)
        verdict = {"passed": passed, "results": results, "at": now().isoformat()}
        stat = diff_of(workspace, stat_only=True)
        if passed:
            return _promote(workspace, verdict, stat, actor)
        return _route_failure(workspace, verdict, stat, actor)


def _summary(verdict: dict) -> str:
    last = verdict["results"][-1]
    if verdict["passed"]:
        return f"{len(verdict['results'])} verification command(s) passed"
    why = ("timed out" if last["timedOut"] else "could not run" if not last["ran"]
           else f"exited {last['exitCode']}")
    return f"`{last['command']}` {why}: {last['output'][-1000:]}"


def _promote(workspace: Workspace, verdict: dict, stat: str, actor: str) -> dict:
    card_id = workspace.card_id
    with writing():
        workflows.set_verdict(card_id=card_id, verdict="passing", detail=_summary(verdict),
                              actor=actor)
        workflows.update_task(card_id=card_id, status="done", actor=actor)
    repo = allowed_repository(workspace.repo_path)
    path = Path(workspace.worktree_path)
    commit_all(path, f"clawboo: task {card_id} verified")
    saved = save(card_id, "workspace_completed", f"verification passed; {workspace.branch} kept",
                 actor, status="completed", head_commit=branch_tip(repo, workspace.branch),
                 diff_stat=stat, verification=verdict)
    drop_checkout(repo, path)
    return {"workspace": saved, "verdict": verdict}


def _route_failure(workspace: Workspace, verdict: dict, stat: str, actor: str) -> dict:
    card_id = workspace.card_id
    could_not_run = not verdict["results"][-1]["ran"] or verdict["results"][-1]["timedOut"]
    target = "blocked" if could_not_run else "in_progress"
    with writing():
        card = workflows.set_verdict(card_id=card_id, verdict="failing",
                                     detail=_summary(verdict), actor=actor)
        if card.column_key == target or target in workflows.TRANSITIONS[card.column_key]:
            workflows.update_task(card_id=card_id, status=target, actor=actor)
        workspace = workspace_of(card_id)
        workspace.verification, workspace.diff_stat = verdict, stat
        workspace.updated_at = now()
        record("workspace_verification_failed", card_id=card_id, actor=actor,
               details=_summary(verdict)[:200], board_id=card.board_id)
    return {"workspace": workspace_of(card_id), "verdict": verdict}
