"""The board page and its HTMX partials. Every write calls the same service as the
API; a refusal comes back as a message on the page, with the board as it really is."""
import functools
import logging

import marshmallow as ma
from flask import Blueprint, Response, current_app, g, redirect, render_template, request
from flask_smorest import abort

from tack.api import schemas as s
from tack.clock import now
from tack.error_handlers import db_rollback
from tack.errors import NotFound
from tack.extensions import limiter
from tack.kanban import schemas as ks
from tack.services import (board_page, board_reads, boards, cards, claims, columns as
                           board_columns_service, decisions, events, notes, webhooks,
                           workspaces)
from tack.services.boards import DEFAULT_BOARD, column_named, columns
from tack.services.card_json import claim_is_active
from tack.web import auth
from tack.web.render import template_helpers

log = logging.getLogger(__name__)
bp = Blueprint("web", __name__)
ACTIVITY_SHOWN = 30
FILTERS = ("q", "assignee", "tag", "priority")
NO_FILTERS = dict.fromkeys(FILTERS)
PRIORITIES = cards.PRIORITIES
# The API's documented limits, for the forms' maxlength and hints.
LIMITS = {"title": s.TITLE_MAX, "description": s.DESCRIPTION_MAX, "name": s.NAME_MAX,
          "note": s.NOTE_MAX, "tag": s.TAG_MAX, "tags": s.TAGS_MAX, "reason": s.REASON_MAX,
          "search": s.SEARCH_MAX}


@bp.before_request
def read_filters():
    """Before the CSRF check (registered next), so a refusal still knows them."""
    g.filters = current_filters()
    g.board_id = (request.view_args or {}).get("board_id") or request.values.get(
        "board", "").strip() or DEFAULT_BOARD


auth.protect_posts(bp)


@bp.context_processor
def form_limits():
    return {"limits": LIMITS}


def load_form(schema: ma.Schema, fields: dict) -> dict:
    """The page's input checked by the API's own schema: a refusal is the API's 422,
    answered with its message by tack.error_handlers."""
    try:
        return schema.load(fields)
    except ma.ValidationError as invalid:
        abort(422, messages={"form": invalid.messages})


def form_fields(*names: str) -> dict:
    """The named form fields the request sent (absent ones take the schema's default)."""
    return {name: request.form[name] for name in names if name in request.form}


def form_tags(text: str) -> list[str]:
    """The page's comma-separated tags as the API's list (blank entries dropped)."""
    return [tag for tag in text.split(",") if tag.strip()]


def current_filters() -> dict:
    """The search box and filter selects, sent as f_q, f_assignee, ... on every request,
    checked like the API's list filters."""
    given = {name: request.values.get("f_" + name, "").strip() for name in FILTERS}
    args = load_form(s.CardListArgs(), {name: value for name, value in given.items() if value})
    return {name: args[name] for name in FILTERS}


def board_context(filters: dict | None = None) -> dict:
    """The page's data: each column's first cards (more after "show more") and total."""
    at = now()
    filters = g.get("filters", NO_FILTERS) if filters is None else filters
    board_id = g.get("board_id", DEFAULT_BOARD)
    board = boards.get_board(board_id)
    seq = events.last_seq(board_id)
    slices = board_page.column_slices(
        board_id=board_id, at=at, archive_days=current_app.config["TACK"].done_archive_days,
        shown=shown_counts(), **filters)
    return {
        "board": board,
        "columns": board.columns,
        "wip_counts": wip_counts(board),
        "slices": slices,
        "note_counts": notes.note_counts(
            [card.id for piece in slices.values() for card in piece.cards]),
        "activity": events.recent_events(ACTIVITY_SHOWN, board_id=board_id),
        "seq": seq,
        "filters": filters,
        "priorities": PRIORITIES,
        "signed_in": auth.may_edit(board),
        "key_required": auth.key_required() or bool(board.manage_key_hash),
        "display_name": auth.display_name(),
        **template_helpers(at),
    }


def switchable_boards(current) -> list:
    """The header's switcher: every board not archived, and the one shown."""
    found = boards.list_boards(public_only=False)
    return found if current in found else [*found, current]


def wip_counts(board) -> dict[str, int]:
    """Cards per column, unfiltered, for the columns that have a WIP limit."""
    if not any(column.wip_limit for column in board.columns):
        return {}
    return board_reads.column_counts(board.id)


def shown_counts() -> dict[str, int]:
    """How many cards each column shows now (shown_<key>, sent by the page), so a
    live update keeps what "show more" opened."""
    counts = {}
    for name, value in request.values.items():
        if name.startswith("shown_") and value.isascii() and value.isdigit():
            counts[name.removeprefix("shown_")] = int(value[:6])
    return counts


def board_update(message: str = "", status: int = 200, main_html: str = "",
                 live: bool = False) -> Response:
    """The answer to every page write: `main_html` for the request's own target, and
    out-of-band swaps for the columns, activity, cursor and the message. A `live`
    update (the poll) carries no message: it must not wipe the answer to this
    person's last action, such as why a drop was refused."""
    context = board_context()
    updates = render_template("partials/updates.html", message=message,
                              is_error=status >= 400, in_dialog=in_dialog(), live=live,
                              **context)
    return Response(main_html + updates, status=status, mimetype="text/html")


def refusal_update(message: str, status: int) -> Response:
    """A refused htmx request (tack.error_handlers calls this): the message, and the
    board as it really is, so a refused drop snaps back. The request's own target is
    left alone: a dialog keeps what the person typed."""
    if request.endpoint in SETTINGS_ENDPOINTS:
        return settings_refusal(message, status)
    try:
        response = board_update(message, status)
    except Exception:
        # Already answering a failure (the database may still be busy): whatever
        # stops the board from being drawn, the person still gets the message.
        db_rollback()
        log.exception("board not redrawn for a refusal")
        html = render_template("partials/message.html", message=message, is_error=True,
                               in_dialog=in_dialog())
        response = Response(html, status=status, mimetype="text/html")
    response.headers["HX-Reswap"] = "none"
    return response


def in_dialog() -> bool:
    return request.headers.get("HX-Target") == "dialog-body"


def page_write(view):
    """Writes from the page need sign-in (when the board has a key)."""

    @functools.wraps(view)
    def run(*args, **kwargs):
        auth.require_sign_in()
        return view(*args, **kwargs)

    return run


# ---- pages and reads ---------------------------------------------------------------

@bp.get("/")
@bp.get("/boards/<board_id>")
@bp.get("/board/<board_id>")  # the HNR Kanban contract's view_url
def board(board_id=DEFAULT_BOARD):
    offered = request.args.get("key", "").strip()
    if offered:
        # A manage link: keep the key's hash in the session, then drop the key from
        # the address (history, bookmarks, the Referer of links followed from here).
        board = boards.board_access(board_id)
        if not auth.sign_in(offered, auth.display_name(), board):
            return render_template("board.html", sign_in_error="That key is not this "
                                   "board's manage key.", **full_page_context()), 401
        return redirect(request.path, code=303)
    return render_template("board.html", **full_page_context())


def full_page_context(filters: dict | None = None) -> dict:
    """The board's data and what only the full page shows (the board switcher)."""
    context = board_context(filters)
    return {**context, "all_boards": switchable_boards(context["board"])}


@bp.get("/web/board")
def board_columns():
    """Just the columns, for a new search or filter."""
    return render_template("partials/columns.html", **board_context())


@bp.get("/web/columns/<column_name>/cards")
def more_cards(column_name):
    """ "Show more": the column's next slice, appended below what the page shows."""
    column = column_named(column_name, g.board_id)
    at = now()
    piece = board_page.more_of_column(
        board_id=g.board_id, column_name=column.key, at=at,
        archive_days=current_app.config["TACK"].done_archive_days,
        offset=max(request.args.get("offset", type=int, default=0), 0), **g.filters)
    return render_template("partials/more_cards.html", column=column, piece=piece,
                           note_counts=notes.note_counts([card.id for card in piece.cards]),
                           **template_helpers(at))


@bp.get("/web/changes")
def changes():
    """The live poll: 204 when nothing happened since `after`, else the new board."""
    after = request.args.get("after", type=int, default=0)
    if events.last_seq(g.board_id) <= after:
        return Response(status=204)
    return board_update(live=True)


@bp.get("/web/cards/<card_id>")
def card_dialog(card_id):
    try:
        return render_dialog(card_id)
    except NotFound:
        return render_template("partials/card_gone.html")


def render_dialog(card_id: str, message: str = "") -> str:
    card = cards.get_card(card_id)
    at = now()
    return render_template(
        "partials/card_dialog.html", card=card, columns=columns(card.board_id),
        priorities=PRIORITIES, notes=notes.list_notes(card_id),
        activity=events.recent_events(50, board_id=card.board_id, card_id=card_id),
        claimed=claim_is_active(card, at), message=message,
        workspace=workspaces.workspace_of(card_id), **template_helpers(at),
    )


# ---- writes ------------------------------------------------------------------------

@bp.post("/web/cards")
@page_write
def create_card():
    fields = form_fields("title", "description", "column_name", "priority", "assignee")
    data = load_form(s.CardCreateSchema(), {
        **fields, "tags": form_tags(request.form.get("tags", "")),
        "created_by": auth.display_name()})
    data.pop("actor")
    card = cards.create_card(**data, board_id=g.board_id)
    response = board_update(f"Created “{card.title}”.")
    response.headers["HX-Trigger"] = "tack:card-created"
    return response


@bp.post("/web/cards/<card_id>")
@page_write
def update_card(card_id):
    """Save the dialog: only the fields the person changed from what it showed."""
    changes = {}
    for field in cards.EDITABLE_FIELDS:
        value = request.form.get(field)
        if value is not None and value != request.form.get("shown_" + field):
            changes[field] = form_tags(value) if field == "tags" else value
    data = load_form(s.CardUpdateSchema(), changes)
    status = cards.update_card(card_id=card_id, changes=data, actor=auth.display_name())
    return board_update("Saved." if status == "updated" else "No changes.",
                        main_html=render_dialog(card_id))


@bp.post("/web/cards/<card_id>/move")
@page_write
def move_card(card_id):
    """A drop: the card goes just above `before_id` in `column_name` (no before_id:
    to the bottom)."""
    column_name = load_form(s.MoveSchema(), form_fields("column_name"))["column_name"]
    source, destination = cards.move_card(
        card_id=card_id, column_name=column_name,
        before_id=request.form.get("before_id") or None, actor=auth.display_name(),
    )
    return board_update("" if source == destination else f"Moved to {destination}.")


@bp.post("/web/cards/<card_id>/notes")
@page_write
def add_note(card_id):
    data = load_form(s.NoteSchema(), {"author": auth.display_name(),
                                      "content": request.form.get("content", "").strip()})
    notes.add_note(card_id=card_id, **data)
    return board_update("Note added.", main_html=render_dialog(card_id))


@bp.post("/web/cards/<card_id>/decide")
@page_write
def decide(card_id):
    data = load_form(s.DecideSchema(), {**form_fields("choice"),
                                        "note": request.form.get("note", "").strip()})
    card = decisions.decide(card_id=card_id, choice=data["choice"], note=data["note"],
                            actor=auth.display_name())
    return board_update(f"Decided; moved to {card.column_key}.")


@bp.post("/web/cards/<card_id>/approve")
@page_write
def approve(card_id):
    data = load_form(s.ApproveSchema(), {**form_fields("approved"),
                                         "comment": request.form.get("comment", "").strip()})
    card = decisions.answer_approval(card_id=card_id, approved=data["approved"],
                                     comment=data["comment"], actor=auth.display_name())
    verdict = "Approved" if data["approved"] else "Denied"
    return board_update(f"{verdict}; moved to {card.column_key}.")


@bp.post("/web/cards/<card_id>/release")
@page_write
def release(card_id):
    claims.release_card(card_id=card_id)
    return board_update("Claim released.", main_html=render_dialog(card_id))


@bp.post("/web/cards/<card_id>/delete")
@page_write
def delete(card_id):
    reason = request.form.get("reason", "").strip() or "deleted from the board"
    data = load_form(s.DeleteSchema(), {"reason": reason})
    cards.delete_card(card_id=card_id, reason=data["reason"], actor=auth.display_name())
    response = board_update("Card deleted.")
    response.headers["HX-Trigger"] = "tack:close-dialog"
    return response


# ---- sign-in -----------------------------------------------------------------------

@bp.post("/web/sign-in")
def sign_in():
    name = request.form.get("name", "").strip() or "human"
    refusal = None
    if len(name) > s.NAME_MAX or "\x00" in name:
        refusal = f"Your name: at most {s.NAME_MAX} characters, and no NUL.", 422
    elif not auth.sign_in(request.form.get("key", "").strip(), name,
                          boards.board_access(g.board_id)):
        refusal = "That key is not right.", 401
    if refusal:
        message, status = refusal
        return render_template("board.html", sign_in_error=message,
                               **full_page_context(NO_FILTERS)), status
    return redirect(board_url(g.board_id), code=303)


@bp.post("/web/sign-out")
def sign_out():
    auth.sign_out()
    return redirect(board_url(g.board_id), code=303)


def board_url(board_id: str) -> str:
    return "/" if board_id == DEFAULT_BOARD else f"/boards/{board_id}"


# ---- boards: list, create, settings -------------------------------------------------

def page_context() -> dict:
    return {"signed_in": auth.signed_in(), "key_required": auth.key_required(),
            "display_name": auth.display_name()}


def checkbox(name: str) -> bool:
    return request.form.get(name) in ("on", "true", "1")


@bp.get("/boards")
def board_list():
    found = boards.list_boards(public_only=False, include_archived=True)
    return render_template("boards.html", boards=found, workflows=CREATABLE_WORKFLOWS,
                           card_counts=board_reads.task_counts([b.id for b in found]),
                           **page_context())


CREATABLE_WORKFLOWS = ("columns", "tack")


@bp.post("/boards")
@page_write
def create_board():
    """A new board; its manage key is in this answer only (it is stored hashed)."""
    column_names = [name.strip() for name in request.form.get("columns", "").splitlines()
                    if name.strip()]
    data = load_form(ks.BoardCreateSchema(), {
        **form_fields("name", "description", "workflow"),
        "columns": column_names or None,
        "is_public": checkbox("is_public"),
        "require_display_name": checkbox("require_display_name")})
    if not auth.key_required():
        # Without a key anyone may create boards here, as on /api/v1: the same count.
        with limiter.limit(lambda: current_app.config["TACK"].board_rate_limit,
                           scope="kanban-board-create"):
            pass
    board, key = boards.create_board(
        name=data["name"], description=data["description"], column_names=data["columns"],
        workflow=data["workflow"], is_public=data["is_public"],
        require_display_name=data["require_display_name"], actor=auth.display_name())
    auth.remember_board_key(board.id, key)  # its maker may change it from this browser
    return render_template("partials/board_created.html", board=board, manage_key=key)


# The settings page shows this many of each webhook's latest delivery attempts.
DELIVERIES_SHOWN = 10


def settings_context(board_id: str, **extra) -> dict:
    board = boards.get_board(board_id)
    return {"board": board, "counts": board_reads.column_counts(board_id),
            "wip_max": board_columns_service.WIP_LIMIT_MAX,
            "webhooks": board_webhooks(board_id) if auth.may_edit(board) else None,
            **page_context(), **extra}


def board_webhooks(board_id: str) -> list[dict]:
    """The board's webhooks, each with its latest deliveries, newest first. Only for
    a person who may change the board here: a hook's URL can carry a token, and on
    /api/v1 only the manage key reads it."""
    return [{**hook, "deliveries": webhooks.list_deliveries(
                webhook_id=hook["id"], board_id=board_id, limit=DELIVERIES_SHOWN)}
            for hook in webhooks.list_webhooks(board_id=board_id)]


def settings_update(board_id: str, message: str = "", manage_key: str = "") -> str:
    """The answer to every settings write: the settings as they now are, and the
    message (out of band, in the toast)."""
    return (render_template("partials/settings_body.html", manage_key=manage_key,
                            **settings_context(board_id))
            + render_template("partials/message.html", message=message, is_error=False,
                              in_dialog=False))


def settings_refusal(message: str, status: int) -> Response:
    """A refused settings write: the message, and the settings as they really are
    (a refused drag snaps back)."""
    board_id = (request.view_args or {}).get("board_id", "")
    html = render_template("partials/message.html", message=message, is_error=True,
                           in_dialog=False)
    try:
        html = render_template("partials/settings_body.html", manage_key="",
                               **settings_context(board_id)) + html
        retarget = "#settings-body"
    except Exception:
        db_rollback()
        retarget = ""
    response = Response(html, status=status, mimetype="text/html")
    if retarget:
        response.headers["HX-Retarget"] = retarget
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response.headers["HX-Reswap"] = "none"
    return response


def optional_int(name: str):
    """A number field: blank means none (a WIP limit cleared, a column at the end)."""
    value = request.form.get(name, "").strip()
    return None if value == "" else value


@bp.get("/boards/<board_id>/settings")
def board_settings(board_id):
    return render_template("settings.html", manage_key="", **settings_context(board_id))


@bp.post("/boards/<board_id>/settings")
@page_write
def save_board_settings(board_id):
    data = load_form(ks.BoardUpdateSchema(), {
        **form_fields("name", "description"), "is_public": checkbox("is_public"),
        "require_display_name": checkbox("require_display_name")})
    boards.update_board(board_id=board_id, changes=data, actor=auth.display_name())
    return settings_update(board_id, "Board settings saved.")


@bp.post("/boards/<board_id>/columns")
@page_write
def add_column(board_id):
    data = load_form(ks.ColumnCreateSchema(), {
        **form_fields("name"), "position": optional_int("position"),
        "wip_limit": optional_int("wip_limit")})
    column = board_columns_service.create_column(board_id=board_id, **data,
                                                 actor=auth.display_name())
    return settings_update(board_id, f"Column “{column.name}” added.")


@bp.post("/boards/<board_id>/columns/<column_id>")
@page_write
def edit_column(board_id, column_id):
    data = load_form(ks.ColumnUpdateSchema(), {
        **form_fields("name"), "wip_limit": optional_int("wip_limit")})
    column = board_columns_service.update_column(board_id=board_id, column_id=column_id,
                                                 **data, actor=auth.display_name())
    return settings_update(board_id, f"Column “{column.name}” saved.")


@bp.post("/boards/<board_id>/columns/<column_id>/delete")
@page_write
def remove_column(board_id, column_id):
    board_columns_service.delete_column(board_id=board_id, column_id=column_id,
                                        actor=auth.display_name())
    return settings_update(board_id, "Column deleted.")


@bp.post("/boards/<board_id>/columns/order")
@page_write
def reorder_columns(board_id):
    data = load_form(ks.ColumnReorderSchema(),
                     {"column_ids": request.form.getlist("column_id")})
    board_columns_service.reorder_columns(board_id=board_id, column_ids=data["column_ids"],
                                          actor=auth.display_name())
    return settings_update(board_id, "Columns reordered.")


@bp.post("/boards/<board_id>/manage-key")
@page_write
def rotate_manage_key(board_id):
    key = boards.rotate_manage_key(board_id=board_id, actor=auth.display_name())
    if not auth.admin_signed_in():
        auth.remember_board_key(board_id, key)  # the old one no longer opens it
    return settings_update(board_id, "New manage key made; the old one no longer works.",
                           manage_key=key)


SETTINGS_ENDPOINTS = frozenset({
    "web.create_board", "web.save_board_settings", "web.add_column", "web.edit_column",
    "web.remove_column", "web.reorder_columns", "web.rotate_manage_key"})
