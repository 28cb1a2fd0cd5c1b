"""Small harness shared by the contract client checks in this folder.

The checks act as an outside client written only from an API document: they
speak HTTP to a running server and never import the server's code. Each check
prints one line; a group of checks that raises (network error, unexpected
shape) records one failure and the run goes on with the next group.
"""

import json
import sys
import traceback
import uuid
from datetime import datetime, timezone

import requests


def unique(prefix="c"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def parse_time(value):
    """An ISO-8601 timestamp as an aware datetime, or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def now_utc():
    return datetime.now(timezone.utc)


def body_of(response):
    try:
        return response.json()
    except ValueError:
        return None


def short(value, limit=300):
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())  # one printed line per check, whatever the server sent
    return text if len(text) <= limit else text[:limit] + "..."


def describe(response):
    """'METHOD path -> status body' for a failure line."""
    request = response.request
    path = request.path_url
    sent = ""
    if request.body:
        raw = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        sent = " " + short(raw, 200)
    shown = body_of(response)
    if shown is None:
        shown = response.text
    return f"{request.method} {path}{sent} -> {response.status_code} {short(shown)}"


class Http:
    """requests.Session with a base URL; remembers nothing between calls."""

    def __init__(self, base_url, headers=None, prefix=""):
        self.base = base_url.rstrip("/") + prefix
        self.session = requests.Session()
        self.headers = dict(headers or {})

    def call(self, method, path, json_body=None, params=None, headers=None, data=None,
             no_default_headers=False):
        merged = {} if no_default_headers else dict(self.headers)
        merged.update(headers or {})
        kwargs = {"params": params, "headers": merged, "timeout": 30}
        if data is not None:
            kwargs["data"] = data
        elif json_body is not None or method in ("POST", "PATCH", "PUT"):
            kwargs["json"] = json_body
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.call("POST", path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.call("PATCH", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


class Runner:
    def __init__(self, only=None, verbose=False):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.only = only
        self.verbose = verbose
        self.current_group = ""

    # One check = one printed line.
    def check(self, name, ok, detail="", doc=None):
        label = f"{self.current_group}: {name}" if self.current_group else name
        if ok:
            self.passed += 1
            extra = f"  [{detail}]" if (self.verbose and detail) else ""
            print(f"PASS {label}{extra}", flush=True)
        else:
            self.failed += 1
            quote = f"  doc: {doc!r}" if doc else ""
            print(f"FAIL {label}  -- {detail}{quote}", flush=True)
        return bool(ok)

    def skip(self, name, why):
        self.skipped += 1
        label = f"{self.current_group}: {name}" if self.current_group else name
        print(f"SKIP {label}  -- {why}", flush=True)

    # Common shapes of check.
    def status(self, name, response, expected, doc=None):
        allowed = expected if isinstance(expected, (list, tuple, set)) else [expected]
        return self.check(name, response.status_code in allowed,
                          f"expected status {expected}, got {describe(response)}", doc)

    def equal(self, name, got, expected, doc=None, context=""):
        return self.check(name, got == expected,
                          f"expected {short(expected)!s}, got {short(got)!s}"
                          + (f" ({context})" if context else ""), doc)

    def group(self, name, function, *args):
        """Run one isolated group; an exception is one failure, not the end."""
        if self.only and self.only not in name:
            return
        self.current_group = name
        try:
            function(*args)
        except Exception as error:  # noqa: BLE001 - a client check reports, never crashes
            last = traceback.extract_tb(error.__traceback__)[-1]
            self.check("group ran to the end", False,
                       f"{type(error).__name__}: {short(str(error), 400)} "
                       f"(at line {last.lineno}: {last.line})")
        finally:
            self.current_group = ""

    def finish(self):
        if self.skipped:
            print(f"({self.skipped} skipped, not counted)")
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(0 if self.failed == 0 and self.passed > 0 else 1)
