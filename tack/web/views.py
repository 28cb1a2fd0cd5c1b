"""Pages."""
from flask import Blueprint, render_template

bp = Blueprint("web", __name__)


@bp.get("/")
def board():
    return render_template("board.html")
