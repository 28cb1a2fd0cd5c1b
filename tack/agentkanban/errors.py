"""The contract's error body, {"error": {"code", "message"}}, made from Tack's
failures. The contract's codes are few; Tack's are mapped onto them by status."""
import math

from flask import Response, g

from tack.api.responses import json_response
from tack.errors import detail_line

CONTRACT_CODES = frozenset({"missing_auth", "invalid_key", "forbidden", "not_found",
                            "validation_error", "invalid_body", "rate_limited"})
BY_STATUS = {400: "validation_error", 401: "invalid_key", 403: "forbidden",
             404: "not_found", 405: "method_not_allowed", 409: "conflict",
             413: "body_too_large", 415: "invalid_body", 429: "rate_limited",
             503: "unavailable"}
INVALID_BODY = frozenset({"MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE"})
RATE_LIMITED_MESSAGE = "Rate limit exceeded. Try again later."



def ext_error_response(status: int, detail, code: str, errors: dict | None = None) -> Response:
    """The failure in the contract's shape. Validation (422 in Tack) is 400 here;
    per-field `errors` are not part of this contract's shape."""
    if status == 422:
        status = 400
    if code not in CONTRACT_CODES:
        code = "invalid_body" if code in INVALID_BODY else BY_STATUS.get(status,
                                                                         "internal_error")
    headers = {}
    if status == 429:
        detail = RATE_LIMITED_MESSAGE
        headers["Retry-After"] = str(max(1, math.ceil(g.get("ext_retry_after") or 1)))
    return json_response({"error": {"code": code, "message": detail_line(detail)}}, status,
                         headers)
