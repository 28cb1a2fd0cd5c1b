"""The board page and its HTMX partials. Every write calls the same service as the
API; a refusal comes back as a message on the page, with the board as it really is."""
import functools

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from tack.clock import now
from tack.errors import NotFound, TackError
from tack.extensions import csrf
from tack.services import cards, claims, decisions, events, notes
from tack.services.boards import DEFAULT_BOARD, columns
from tack.services.views import claim_is_active
from tack.web import auth
from tack.web.render import template_helpers

bp = Blueprint("web", __name__)
ACTIVITY_SHOWN = 30
FILTERS = ("q", "assignee", "tag", "priority")
PRIORITIES = cards.PRIORITIES


@bp.before_request
def check_csrf():
    if request.method == "POST":
        csrf.protect()


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    return board_update("This page is out of date: reload it and try again.", status=400)


def current_filters() -> dict:
    """The search box and filter selects, sent as f_q, f_assignee, ... on every request."""
    return {name: request.values.get("f_" + name, "").strip()[:200] or None for name in FILTERS}


def board_context(filters: dict | None = None) -> dict:
    at = now()
    filters = current_filters() if filters is None else filters
    seq = events.last_seq(DEFAULT_BOARD)
    shown = cards.board_cards(board_id=DEFAULT_BOARD, at=at,
                              archive_days=current_app.config["TACK"].done_archive_days,
                              **filters)
    by_column = {column.key: [] for column in columns()}
    for card in shown:
        by_column[card.column_name].append(card)
    return {
        "columns": columns(),
        "cards_by_column": by_column,
        "note_counts": notes.note_counts([card.id for card in shown]),
        "activity": events.recent_events(ACTIVITY_SHOWN),
        "seq": seq,
        "filters": filters,
        "priorities": PRIORITIES,
        "signed_in": auth.signed_in(),
        "key_required": auth.key_required(),
        "display_name": auth.display_name(),
        **template_helpers(at),
    }


def board_update(message: str = "", status: int = 200, main_html: str = "") -> Response:
    """The answer to every page write: `main_html` for the request's own target, and
    out-of-band swaps for the columns, activity, cursor and the message."""
    context = board_context()
    updates = render_template("partials/updates.html", message=message,
                              is_error=status >= 400, **context)
    return Response(main_html + updates, status=status, mimetype="text/html")


def page_write(view):
    """Sign-in check and refusal handling shared by every write from the page."""

    @functools.wraps(view)
    def run(*args, **kwargs):
        try:
            auth.require_sign_in()
            return view(*args, **kwargs)
        except TackError as refused:
            detail = refused.detail
            if isinstance(detail, dict):
                detail = f"{detail.get('error', 'Refused')} by {detail.get('claimed_by', '?')}"
            return board_update(str(detail), status=refused.status)

    return run


def form_text(name: str, default: str = "", limit: int = 10_000) -> str:
    value = request.form.get(name, default)
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value[:limit]


def form_tags() -> list[str]:
    return [tag[:100] for tag in form_text("tags", limit=6000).split(",")][:50]


# ---- pages and reads ---------------------------------------------------------------

@bp.get("/")
def board():
    return render_template("board.html", **board_context())


@bp.get("/web/board")
def board_columns():
    """Just the columns, for a new search or filter."""
    return render_template("partials/columns.html", **board_context())


@bp.get("/web/changes")
def changes():
    """The live poll: 204 when nothing happened since `after`, else the new board."""
    after = request.args.get("after", type=int, default=0)
    if events.last_seq(DEFAULT_BOARD) <= after:
        return Response(status=204)
    return board_update()


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
        "partials/card_dialog.html", card=card, columns=columns(), priorities=PRIORITIES,
        notes=notes.list_notes(card_id), activity=events.recent_events(50, card_id=card_id),
        claimed=claim_is_active(card, at), message=message, **template_helpers(at),
    )


# ---- writes ------------------------------------------------------------------------

@bp.post("/web/cards")
@page_write
def create_card():
    title = form_text("title", limit=500).strip()
    if not title:
        return board_update("A card needs a title.", status=422)
    card = cards.create_card(
        title=title, description=form_text("description"),
        column_name=form_text("column_name", "inbox", 64),
        priority=form_text("priority", "normal", 16), assignee=form_text("assignee", limit=200),
        tags=form_tags(), created_by=auth.display_name(),
    )
    response = board_update(f"Created “{card.title}”.")
    response.headers["HX-Trigger"] = "tack:card-created"
    return response


@bp.post("/web/cards/<card_id>")
@page_write
def update_card(card_id):
    """Save the dialog: only the fields the person changed from what it showed."""
    limits = {"title": 500, "description": 10_000, "column_name": 64, "priority": 16,
              "assignee": 200, "tags": 6000}
    changes = {}
    for field, limit in limits.items():
        value = form_text(field, limit=limit)
        if field in request.form and value != form_text("shown_" + field, limit=limit):
            changes[field] = value
    if "tags" in changes:
        changes["tags"] = form_tags()
    if "title" in changes:
        changes["title"] = changes["title"].strip() or None
    status = cards.update_card(card_id=card_id, changes=changes, actor=auth.display_name())
    return board_update("Saved." if status == "updated" else "No changes.",
                        main_html=render_dialog(card_id))


@bp.post("/web/cards/<card_id>/move")
@page_write
def move_card(card_id):
    """A drop: the card goes just above `before_id` in `column_name` (no before_id:
    to the bottom)."""
    source, destination = cards.move_card(
        card_id=card_id, column_name=form_text("column_name", limit=64),
        before_id=form_text("before_id", limit=32) or None, actor=auth.display_name(),
    )
    return board_update("" if source == destination else f"Moved to {destination}.")


@bp.post("/web/cards/<card_id>/notes")
@page_write
def add_note(card_id):
    content = form_text("content", limit=20_000).strip()
    if not content:
        return board_update("A note needs some text.", status=422,
                            main_html=render_dialog(card_id))
    notes.add_note(card_id=card_id, author=auth.display_name(), content=content)
    return board_update("Note added.", main_html=render_dialog(card_id))


@bp.post("/web/cards/<card_id>/decide")
@page_write
def decide(card_id):
    card = decisions.decide(card_id=card_id, choice=form_text("choice", limit=100),
                            note=form_text("note").strip(), actor=auth.display_name())
    return board_update(f"Decided; moved to {card.column_name}.")


@bp.post("/web/cards/<card_id>/approve")
@page_write
def approve(card_id):
    approved = request.form.get("approved") == "true"
    card = decisions.answer_approval(card_id=card_id, approved=approved,
                                     comment=form_text("comment").strip(),
                                     actor=auth.display_name())
    verdict = "Approved" if approved else "Denied"
    return board_update(f"{verdict}; moved to {card.column_name}.")


@bp.post("/web/cards/<card_id>/release")
@page_write
def release(card_id):
    claims.release_card(card_id=card_id)
    return board_update("Claim released.", main_html=render_dialog(card_id))


@bp.post("/web/cards/<card_id>/delete")
@page_write
def delete(card_id):
    reason = form_text("reason", limit=1000).strip() or "deleted from the board"
    cards.delete_card(card_id=card_id, reason=reason, actor=auth.display_name())
    response = board_update("Card deleted.")
    response.headers["HX-Trigger"] = "tack:close-dialog"
    return response


# ---- sign-in -----------------------------------------------------------------------

@bp.post("/web/sign-in")
def sign_in():
    name = form_text("name", limit=200).strip() or "human"
    if not auth.sign_in(request.form.get("key", ""), name):
        context = board_context({name: None for name in FILTERS})
        return render_template("board.html", sign_in_error="That key is not right.",
                               **context), 401
    return redirect(url_for("web.board"), code=303)


@bp.post("/web/sign-out")
def sign_out():
    auth.sign_out()
    return redirect(url_for("web.board"), code=303)
