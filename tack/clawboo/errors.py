"""Failures in the Clawboo document's shape, {ok: false, error}, made from Tack's
domain errors, validation and HTTP errors. A 400 carries `details` (the schema
errors), as the document's Zod validation does."""
import logging

import sqlalchemy as sa
from flask import Response
from werkzeug.exceptions import HTTPException

from tack.api.responses import json_response
from tack.errors import TackError

log = logging.getLogger(__name__)

# Tack's code -> (status, the document's error word) where they differ from the
# error's own. Clawboo's own words (conflict, illegal_transition...) pass through.
CODES = {
    "DEPENDENCY_SELF": (400, "invalid_request"),
    "DEPENDENCY_CYCLE": (409, "cycle"),
    "DEPENDENCY_OTHER_BOARD": (400, "invalid_request"),
    "WIP_LIMIT": (409, "wip_limit"),
    "WRITE_CONFLICT": (409, "conflict"),
}
# Which request field a domain refusal of input is about (for `details`).
FIELDS = {
    "INVALID_PARENT": "parentTaskId",
    "NOT_A_TEAM": "teamId",
    "DEPENDENCY_SELF": "dependsOnTaskId",
    "DEPENDENCY_OTHER_BOARD": "dependsOnTaskId",
    "INVALID_OVERRIDE": "humanOverride",
}


def failure(status: int, error: str, message: str = "", details=None) -> Response:
    body = {"ok": False, "error": error}
    if message:
        body["message"] = message
    if status == 400:
        body["details"] = details if details is not None else {"_body": [message or error]}
    return json_response(body, status)


def domain_failure(refused: TackError) -> Response:
    status, error = CODES.get(refused.code, (refused.status, None))
    message = str(refused.detail)
    if error is None:
        if status == 404:
            error = "not_found"
        elif status == 400:
            error = "invalid_request"
        elif refused.code.islower():
            error = refused.code
        else:
            error = refused.code.lower()
    details = {FIELDS.get(refused.code, "_body"): [message]} if status == 400 else None
    return failure(status, error, message, details)


def http_failure(error: HTTPException) -> Response:
    messages = (getattr(error, "data", None) or {}).get("messages")
    if error.code in (400, 422):
        if messages:
            # webargs: {location: {field: [messages]}} -> the fields' messages.
            details = {}
            for problems in messages.values():
                details.update(problems if isinstance(problems, dict) else
                               {"_body": problems})
            return failure(400, "invalid_request", "The request body is invalid", details)
        return failure(400, "invalid_request", "Malformed request body")
    words = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
             413: "body_too_large", 415: "unsupported_media_type", 429: "rate_limited"}
    return failure(error.code or 500, words.get(error.code, "error"),
                   error.description or "")


def unexpected_failure(error: Exception) -> Response:
    from tack.api import db_rollback
    db_rollback()
    if isinstance(error, sa.exc.OperationalError):
        log.warning("database busy: %s", error.__class__.__name__)
        return failure(503, "busy", "Database busy; retry shortly")
    if isinstance(error, sa.exc.IntegrityError):
        return failure(409, "conflict", "The write conflicted with another")
    log.exception("unhandled error on the Clawboo surface")
    return failure(500, "internal_error")
