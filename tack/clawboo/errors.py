"""Failures in the Clawboo document's shape, {ok: false, error}, made from Tack's
domain errors, validation and HTTP errors (registered with tack.error_handlers, which
answers every failure). A 400 carries `details` (the schema errors), as the
document's Zod validation does."""
from flask import Response

from tack.api.responses import json_response

# Tack's code -> (status, the document's error word) where they differ from the
# error's own. Clawboo's own words (conflict, illegal_transition...) pass through.
CODES = {
    "DEPENDENCY_SELF": (400, "invalid_request"),
    "DEPENDENCY_CYCLE": (409, "cycle"),
    "DEPENDENCY_OTHER_BOARD": (400, "invalid_request"),
    "WIP_LIMIT": (409, "wip_limit"),
    "WRITE_CONFLICT": (409, "conflict"),
    "DATABASE_BUSY": (503, "busy"),
    "INTERNAL_ERROR": (500, "internal_error"),
}
WORDS = {400: "invalid_request", 401: "unauthorized", 404: "not_found",
         405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
         429: "rate_limited"}
# Which request field a domain refusal of input is about (for `details`).
FIELDS = {
    "INVALID_PARENT": "parentTaskId",
    "NOT_A_TEAM": "teamId",
    "DEPENDENCY_SELF": "dependsOnTaskId",
    "DEPENDENCY_OTHER_BOARD": "dependsOnTaskId",
    "INVALID_OVERRIDE": "humanOverride",
    "INVALID_REPO_PATH": "repoPath",
    "NOT_A_GIT_REPOSITORY": "repoPath",
    "INVALID_KIND": "kind",
    "INVALID_BASEREF": "baseRef",
    "INVALID_BASESHA": "baseSha",
}
# Fields the document puts beside `error` in a failure.
EXTRA_FIELDS = {"no_isolation": {"isolation": "none"}}


def is_clawboo_path(path: str) -> bool:
    return path == "/clawboo/api" or path.startswith("/clawboo/api/")


def failure(status: int, error: str, message: str = "", details=None) -> Response:
    body = {"ok": False, "error": error, **EXTRA_FIELDS.get(error, {})}
    if message:
        body["message"] = message
    if status == 400:
        body["details"] = details if details is not None else {"_body": [message or error]}
    return json_response(body, status)


def schema_details(errors: dict) -> dict:
    """webargs' {location: {field: [messages]}} -> {field: [messages]}. A list
    field's problems are keyed by item index: JSON keys are strings."""
    details = {}
    for problems in errors.values():
        details.update(problems if isinstance(problems, dict) else {"_body": problems})
    return string_keys(details)


def string_keys(value):
    if isinstance(value, dict):
        return {str(key): string_keys(item) for key, item in value.items()}
    return value


def respond(status: int, detail, code: str, errors: dict | None = None) -> Response:
    """Any failure on /clawboo/api, as tack.error_handlers hands it over."""
    message = detail if isinstance(detail, str) else str(detail)
    if code == "no_isolation":
        # The document's one 422: the task kind resolves to no worktree.
        return failure(422, code, message)
    if status == 422 or code in ("MALFORMED_JSON", "VALIDATION_ERROR"):
        # Tack's 422 is the document's 400.
        if errors:
            return failure(400, "invalid_request", "The request body is invalid",
                           schema_details(errors))
        return failure(400, "invalid_request", message)
    status, error = CODES.get(code, (status, None))
    if error is None:
        error = WORDS.get(status) or (code if code.islower() else code.lower())
    details = {FIELDS.get(code, "_body"): [message]} if status == 400 else None
    return failure(status, error, message, details)
