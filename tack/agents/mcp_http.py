"""/mcp: the same tools over MCP's streamable HTTP, served by the board itself.

Flask is WSGI and the SDK's transport is ASGI. Rather than an ASGI-to-WSGI bridge
(a2wsgi keeps an event loop thread per process and would still need the SDK's session
manager started by hand), each POST runs the SDK's own StreamableHTTPSessionManager
once, in stateless JSON-response mode, inside `anyio.run`. Stateless is also what
several gunicorn processes need: no session lives in one process's memory, so any
process can answer any request. (Server-to-client streams, GET /mcp, are not offered:
every tool answers in its response.)

The tools call the Tack API inside this app (Flask's test client on the same app, with
the caller's key and address), so /mcp gets exactly /api's rules, auth and errors."""
import anyio
from flask import Blueprint, Flask, Response, current_app, request
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from tack.agents.calls import Answer, decode, error_from
from tack.agents.mcp_server import build_server

bp = Blueprint("mcp", __name__)
# The SDK refuses bigger bodies itself; say so before reading one.
MAX_BODY_BYTES = 1024 * 1024
FORWARDED_HEADERS = ("X-API-Key", "Authorization")


class AppApi:
    """The Tack API of `app`, called in-process as the /mcp caller (same key, same
    client address for rate limits)."""

    def __init__(self, app: Flask, headers: dict, remote_addr: str | None):
        self.app, self.headers, self.remote_addr = app, headers, remote_addr

    def request(self, method: str, path: str, *, query: dict | None = None,
                body: dict | None = None) -> Answer:
        query = {k: v for k, v in (query or {}).items() if v is not None and v != ""}
        response = self.app.test_client().open(path, method=method.upper(), query_string=query,
                                               json=body, headers=self.headers,
                                               environ_base={"REMOTE_ADDR": self.remote_addr
                                                             or "127.0.0.1"})
        data = decode(response.get_data())
        if response.status_code >= 400:
            raise error_from(response.status_code, data)
        return Answer(response.status_code, data)


def asgi_scope(body: bytes) -> dict:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
               for name, value in request.headers.items()
               if name.lower() != "content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": request.method, "scheme": request.scheme, "path": request.path,
            "raw_path": request.path.encode(), "root_path": "",
            "query_string": request.query_string, "headers": headers,
            "client": (request.remote_addr or "127.0.0.1", 0),
            "server": (request.host, 0)}


def serve_once(server, scope: dict, body: bytes) -> tuple[int, list, bytes]:
    """One HTTP exchange through the SDK's streamable-HTTP transport."""
    answer = {"status": 500, "headers": [], "body": b""}

    async def receive():
        nonlocal body
        if body is None:
            await anyio.sleep_forever()  # nothing more will come: the client waits
        message, body = {"type": "http.request", "body": body, "more_body": False}, None
        return message

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    async def run():
        manager = StreamableHTTPSessionManager(app=server, json_response=True, stateless=True)
        async with manager.run():
            await manager.handle_request(scope, receive, send)

    anyio.run(run)
    return answer["status"], answer["headers"], answer["body"]


@bp.route("/mcp", methods=["POST", "GET", "DELETE"])
def mcp_endpoint():
    """MCP over streamable HTTP (stateless, JSON responses)."""
    if request.method != "POST":
        return Response("Only POST: this endpoint is stateless and answers in JSON", 405,
                        {"Allow": "POST"}, mimetype="text/plain")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return Response("Request body too large", 413, mimetype="text/plain")
    headers = {name: request.headers[name] for name in FORWARDED_HEADERS
               if name in request.headers}
    api = AppApi(current_app._get_current_object(), headers, request.remote_addr)
    body = request.get_data(cache=False)
    status, response_headers, content = serve_once(build_server(api), asgi_scope(body), body)
    response = Response(content, status)
    for name, value in response_headers:
        if name.lower() != b"content-length":
            response.headers[name.decode("latin-1")] = value.decode("latin-1")
    return response


def init_mcp(app: Flask) -> None:
    # A plain blueprint: /mcp speaks JSON-RPC, so it stays out of /openapi.json.
    app.register_blueprint(bp)
