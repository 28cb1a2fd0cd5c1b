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
    """A refusal with an HTTP status and a stable machine code. A subclass names its
    own in the class line: `class Gone(TackError, status=410, code="GONE"): ...`."""
    status = 400
    code = "INVALID"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None,
                          **kwargs):
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, detail, code: str | None = None):
        super().__init__(detail if isinstance(detail, str) else str(detail))
        self.detail = detail
        if code:
            self.code = code


class Invalid(TackError, status=400, code="INVALID"):
    """The input breaks a rule."""


class NotFound(TackError, status=404, code="NOT_FOUND"):
    """No such board, card or other thing."""


class Conflict(TackError, status=409, code="CONFLICT"):
    """The board's state refuses the change (a claim held, a write raced)."""


class Forbidden(TackError, status=403, code="FORBIDDEN"):
    """The caller may not do this."""
