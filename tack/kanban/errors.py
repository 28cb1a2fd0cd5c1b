"""The contract's error body, {"error", "code", "status"}, made from Tack's failures:
domain errors, validation, HTTP errors. Tack's codes are translated to the contract's
where the contract names one."""
from flask import Response

from tack.api.responses import json_response
from tack.errors import detail_line

# Tack's code -> the contract's.
CODES = {
    "CARD_NOT_FOUND": "TASK_NOT_FOUND",
    "WIP_LIMIT": "WIP_LIMIT_EXCEEDED",
    "TOO_MANY_REQUESTS": "RATE_LIMIT_EXCEEDED",
    "VALIDATION_ERROR": "INVALID_INPUT",
    "MALFORMED_JSON": "INVALID_INPUT",
    "BAD_REQUEST": "INVALID_INPUT",
    "INVALID": "INVALID_INPUT",
    "INVALID_PRIORITY": "INVALID_INPUT",
    # The contract names no code for a malformed webhook URL; its general one fits.
    "INVALID_URL": "INVALID_INPUT",
    "UNSUPPORTED_MEDIA_TYPE": "INVALID_INPUT",
}
# Tack's refusals the contract names no code for: its general validation error.
INVALID_INPUT = {"DEPENDENCY_SELF", "DEPENDENCY_EXISTS", "DEPENDENCY_CYCLE",
                 "DEPENDENCY_OTHER_BOARD"}



def kanban_error_response(status: int, detail, code: str,
                          errors: dict | None = None) -> Response:
    """The failure in the contract's shape. Validation (422 in Tack) is 400 here."""
    code = CODES.get(code, code)
    if status == 422 or code in INVALID_INPUT:
        status, code = 400, "INVALID_INPUT"
    return json_response({"error": detail_line(detail), "code": code, "status": status},
                         status)
