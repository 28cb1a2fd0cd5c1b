"""The team page: a Clawboo board's statuses, ready markers, dependency links,
execution history with token and cost totals, verdicts, and the audited override.
Plain forms over the same services as the API (no rule here)."""
from flask import Blueprint, Response, render_template, request

from tack.errors import TackError
from tack.services import workflows
from tack.web import auth

bp = Blueprint("clawboo_page", __name__, url_prefix="/clawboo/teams")
auth.protect_posts(bp)
REASON_MAX = 2000


def render_team(team_id: str, message: str = "", status: int = 200) -> Response:
    overview = workflows.team_overview(team_id)
    html = render_template(
        "clawboo/team.html", message=message, is_error=status >= 400,
        transitions=workflows.TRANSITIONS, signed_in=auth.signed_in(), **overview)
    return Response(html, status=status, mimetype="text/html")


def page_write(team_id: str, write) -> Response:
    """Run `write`; a refusal (illegal move, gate, bad input) comes back as the
    page with the reason, and nothing changed."""
    return auth.page_write(write, lambda message, status: render_team(team_id, message,
                                                                       status))


@bp.get("/<team_id>")
def team_page(team_id):
    # An unknown team is tack.error_handlers' HTML 404 page.
    return render_team(team_id)


@bp.post("/<team_id>/tasks/<task_id>/move")
def move(team_id, task_id):
    status = request.form.get("status", "")[:32]

    def write():
        workflows.task_in_team(task_id, team_id)
        workflows.update_task(card_id=task_id, status=status, actor=auth.display_name())
        return f"Moved to {status}."

    return page_write(team_id, write)


@bp.post("/<team_id>/tasks/<task_id>/override")
def override(team_id, task_id):
    """Done past a failing verdict: needs the explicit confirmation and a reason."""
    reason = request.form.get("reason", "").replace("\x00", "").strip()[:REASON_MAX]
    confirmed = request.form.get("confirm") == "yes"

    def write():
        workflows.task_in_team(task_id, team_id)
        if not confirmed or not reason:
            raise TackError("An override needs the confirmation box ticked and a reason",
                            "OVERRIDE_UNCONFIRMED")
        workflows.update_task(card_id=task_id, status="done", actor=auth.display_name(),
                              human_override=workflows.HumanOverride(
                                  actor=auth.display_name(), reason=reason))
        return "Moved to done by a human override (recorded in the audit log)."

    return page_write(team_id, write)
