"""A small Server-Sent Events reader for tests: http.client, one event at a time."""
import http.client
import json
from urllib.parse import urlsplit


class SSEClient:
    def __init__(self, url: str, last_event_id: str | None = None, timeout: float = 10):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                                     timeout=timeout)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.comments: list[str] = []

    def body(self) -> dict:
        return json.loads(self.response.read())

    def next_event(self) -> dict:
        """{'id', 'event', 'data'} of the next event (comments are kept aside)."""
        event: dict = {}
        while True:
            line = self.response.readline()
            if not line:
                raise EOFError("stream ended")
            line = line.decode().rstrip("\r\n")
            if not line:
                if "data" in event or "event" in event:
                    if "data" in event:
                        event["data"] = json.loads(event["data"])
                    return event
                event = {}
                continue
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            event[name] = value[1:] if value.startswith(" ") else value

    def close(self) -> None:
        self.connection.close()
