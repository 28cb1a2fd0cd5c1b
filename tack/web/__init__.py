"""The web board: full pages and HTMX partials over the same services as the API."""
from flask import Flask, request


# Only the board's own files may run or style the page: user text cannot inject
# script even if an escape were ever missed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# flask-smorest's Swagger UI page starts itself with one inline script.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'",
                                              "script-src 'self' 'unsafe-inline'")


def security_headers(response):
    policy = DOCS_POLICY if request.path == "/docs" else CONTENT_SECURITY_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_web(app: Flask) -> None:
    from tack.web import views
    app.register_blueprint(views.bp)
    app.after_request(security_headers)

