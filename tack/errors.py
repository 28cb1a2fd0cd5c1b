"""Domain errors. Services raise them; the API answers JSON, the page a message."""


def detail_line(detail) -> str:
    """A refusal's detail as one line, for contracts whose errors carry a message
    string: Tack's detail can be an object (a claim conflict names the holder)."""
    if isinstance(detail, dict):
        if detail.get("claimed_by"):
            return f"Task is already claimed by {detail['claimed_by']}"
        return str(detail.get("error") or detail)
    return str(detail)


class TackError(Exception):
    status = 400
    code = "INVALID"

    def __init__(self, detail, code: str | None = None):
        super().__init__(detail if isinstance(detail, str) else str(detail))
        self.detail = detail
        if code:
            self.code = code


class Invalid(TackError):
    status = 400
    code = "INVALID"


class NotFound(TackError):
    status = 404
    code = "NOT_FOUND"


class Conflict(TackError):
    status = 409
    code = "CONFLICT"


class Forbidden(TackError):
    status = 403
    code = "FORBIDDEN"
