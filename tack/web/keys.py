"""Settings > API keys: a signed-in admin makes AgentKanban access keys (all boards
or chosen boards, read or edit), copies one, reveals it again later, revokes it.
Needs TACK_API_KEY: without an admin key nobody is "signed in", so keys are then
managed with `tack keys` on the server only."""
from flask import Blueprint, current_app, render_template, request

from tack.errors import Forbidden, TackError
from tack.services import access_keys, boards
from tack.web import auth

bp = Blueprint("web_keys", __name__, url_prefix="/settings/keys")


@bp.before_request
def admins_only():
    if not auth.key_required():
        raise Forbidden("Set TACK_API_KEY and sign in to manage access keys here "
                        "(or use `tack keys` on the server)", "ADMIN_KEY_NOT_SET")
    auth.require_admin()


auth.protect_posts(bp)  # after admins_only, so the sign-in refusal comes first


def page(status: int = 200, message: str = "", revealed: dict | None = None):
    html = render_template("settings_keys.html", keys=access_keys.list_keys(),
                           boards=boards.list_boards(public_only=False), message=message,
                           revealed=revealed or {})
    # A revealed key must not stay in a cache.
    return html, status, {"Cache-Control": "no-store"}


@bp.get("")
def show():
    return page()


@bp.post("")
def create():
    form = request.form
    all_boards = form.get("scope") == "all"
    grants = {board_id: form.get(f"permission_{board_id}", "read")
              for board_id in form.getlist("board")}
    try:
        row, key = access_keys.create_key(
            name=form.get("name", ""), app_secret=current_app.config["SECRET_KEY"],
            all_boards=all_boards, permission=form.get("permission", "read"),
            boards=grants, created_by=auth.display_name())
    except TackError as refused:
        return page(400, str(refused.detail))
    return page(201, f"Key “{row.name}” created: copy it now or reveal it later.",
                {row.id: key})


@bp.post("/<key_id>/reveal")
def reveal(key_id):
    try:
        key = access_keys.reveal_key(key_id=key_id, app_secret=current_app.config["SECRET_KEY"])
    except TackError as refused:
        return page(refused.status, str(refused.detail))
    return page(revealed={key_id: key})


@bp.post("/<key_id>/revoke")
def revoke(key_id):
    try:
        key = access_keys.revoke_key(key_id=key_id)
    except TackError as refused:
        return page(refused.status, str(refused.detail))
    return page(message=f"Key “{key.name}” revoked: it no longer works anywhere.")
