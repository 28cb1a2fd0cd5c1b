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


def with_etag(payload_bytes: bytes, etag: str, status: int = 200,
              gzipped: bytes | None = None) -> Response:
    """A 200 with ETag, or an empty 304 when the client already holds this version.
    With `gzipped` (the caller checked that the client accepts gzip) the 200 carries
    that instead; the weak ETag names the content, whichever encoding."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    elif gzipped is not None:
        response = Response(gzipped, status=status, mimetype="application/json",
                            headers={"Content-Encoding": "gzip"})
    else:
        response = Response(payload_bytes, status=status, mimetype="application/json")
    response.set_etag(etag, weak=True)
    response.vary.add("Accept-Encoding")
    return response
