"""How a tool reaches the board: one HTTP request against the Tack API, made either
over the network (`tack mcp`, the CLI) or inside the serving app (`/mcp`)."""
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

# A call longer than this is a server in trouble (the longest tool, wait_for_decision,
# polls in short requests).
REQUEST_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any  # the decoded JSON body; None when there is none (204)


class ApiError(Exception):
    """The board refused a call: its status, machine code and message, as it said them."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


class BoardUnreachable(Exception):
    """No answer at all from the server (wrong URL, server down, timeout)."""


class Api(Protocol):
    def request(self, method: str, path: str, *, query: dict | None = None,
                body: dict | None = None) -> Answer: ...


def error_from(status: int, data: Any) -> ApiError:
    """The board's own words from any surface's error shape (Tack's `{detail, code}`)."""
    if isinstance(data, dict):
        detail = data.get("detail", data.get("error", data))
        code = data.get("code") or "ERROR"
        return ApiError(status, str(code), readable(detail))
    return ApiError(status, "ERROR", f"HTTP {status}")


def readable(detail: Any) -> str:
    """A detail object (a claim conflict's `{error, claimed_by, expires_at, hint}`) as
    one sentence: its message, then the facts, then the hint."""
    if not isinstance(detail, dict):
        return str(detail)
    message = str(detail.get("error") or detail.get("message") or "Refused")
    facts = ", ".join(f"{key}: {value}" for key, value in detail.items()
                      if key not in ("error", "message", "hint"))
    hint = detail.get("hint")
    return message + (f" ({facts})" if facts else "") + (f". {hint}" if hint else "")


def decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def query_string(query: dict | None) -> str:
    """Only the parameters that were given; `?` included when there are any."""
    pairs = {k: v for k, v in (query or {}).items() if v is not None and v != ""}
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


class HttpApi:
    """The Tack API at `url`, with the key (when given) on every request."""

    def __init__(self, url: str, key: str | None = None,
                 timeout: float = REQUEST_TIMEOUT_SECONDS):
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    def request(self, method: str, path: str, *, query: dict | None = None,
                body: dict | None = None) -> Answer:
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            # urllib would also open file:// and ftp:// URLs.
            raise BoardUnreachable(f"not an http(s) URL: {self.url}")
        headers = {"Accept": "application/json", "User-Agent": "tack-agent-client"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.key:
            headers["X-API-Key"] = self.key
        request = urllib.request.Request(self.url + path + query_string(query), data=data,
                                         headers=headers, method=method.upper())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, decode(response.read()))
        except urllib.error.HTTPError as refused:
            raise error_from(refused.code, decode(refused.read())) from None
        except (urllib.error.URLError, OSError) as failure:
            reason = getattr(failure, "reason", failure)
            raise BoardUnreachable(f"cannot reach the Tack server at {self.url}: {reason}") \
                from None
