"""Fast JSON responses (orjson) and the error body every failure shares."""
import orjson
from flask import Response, request


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(payload), status=status, headers=headers,
                    mimetype="application/json")


def error_response(status: int, detail, code: str, errors: dict | None = None) -> Response:
    body = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    # Validation messages key list items by index (an int).
    return Response(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), status=status,
                    mimetype="application/json")


def with_etag(payload_bytes: bytes, etag: str, status: int = 200) -> Response:
    """A 200 with ETag, or an empty 304 when the client already holds this version."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(payload_bytes, status=status, mimetype="application/json")
    response.set_etag(etag, weak=True)
    return response
