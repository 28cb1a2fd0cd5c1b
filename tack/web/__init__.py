"""The web board: full pages and HTMX partials over the same services as the API."""
from flask import Flask, render_template

from tack.errors import TackError


def html_error(error):
    status = getattr(error, "status", None) or getattr(error, "code", 500) or 500
    message = getattr(error, "detail", None) or getattr(error, "description", "Error")
    if not isinstance(message, str):
        message = message.get("error", "Refused") if isinstance(message, dict) else str(message)
    return render_template("error.html", status=status, message=message), status


def init_web(app: Flask) -> None:
    from tack.web import views
    app.register_blueprint(views.bp)


__all__ = ["html_error", "init_web", "TackError"]
