"""Marshmallow schemas: what each call accepts and returns. They are the API's
documentation too, so every field says what it is and gives an example."""
import marshmallow as ma
from marshmallow import fields, validate

from tack.clock import as_utc
from tack.services.boards import COLUMN_NAMES
from tack.services.cards import PRIORITIES

# Documented limits (also in README and TOOL.md).
TITLE_MAX = 500
DESCRIPTION_MAX = 10_000
NAME_MAX = 200
TAGS_MAX = 50
TAG_MAX = 100
NOTE_MAX = 20_000
PLAN_MAX = 20_000
OPTIONS_MAX = 20
TTL_MAX = 86_400
POSITION_MAX = 1_000_000
BATCH_MAX = 100
LIST_LIMIT_MAX = 1000
REASON_MAX = 1000
SEARCH_MAX = 200


class Text(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError("Must not contain NUL characters.")
        return text


class UTCDateTime(fields.DateTime):
    """An ISO time, read as UTC when it has no offset, and converted to UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return as_utc(moment)
        except OverflowError:
            raise ma.ValidationError("Time is out of range.") from None


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


def text(max_length: int, description: str, example=None, required=False,
         nonblank=False, **kwargs):
    """A documented string field of at most `max_length` characters."""
    metadata = {"description": f"{description} (at most {max_length} characters)"}
    if example is not None:
        metadata["example"] = example
    validators = [validate.Length(max=max_length)]
    if nonblank:
        validators.append(_not_blank)
    return Text(required=required, validate=validators, metadata=metadata, **kwargs)


class Lenient(ma.Schema):
    """Unknown fields are dropped, not refused: the clients of every surface send
    extras (Tack's send `actor` everywhere). The base of all request schemas."""

    class Meta:
        unknown = ma.EXCLUDE


ACTOR = dict(max_length=NAME_MAX, description="Who is acting (agent or person name)",
             example="agent-7", load_default="")


class CardCreateSchema(Lenient):
    title = text(TITLE_MAX, "Short summary", "Fix login redirect", required=True, nonblank=True)
    description = text(DESCRIPTION_MAX, "Markdown body", "Steps to reproduce...",
                       load_default="")
    column_name = text(64, "Column: " + ", ".join(COLUMN_NAMES) + " (default: inbox)", "inbox",
                       load_default=None)
    assignee = text(NAME_MAX, "Who should do it", "agent-7", load_default="")
    priority = text(16, "One of " + ", ".join(PRIORITIES), "normal", load_default="normal")
    created_by = text(NAME_MAX, "Creator's name", "planner", load_default="")
    tags = fields.List(Text(validate=validate.Length(max=TAG_MAX)),
                       validate=validate.Length(max=TAGS_MAX), load_default=list,
                       metadata={"description": f"At most {TAGS_MAX} tags of "
                                                f"{TAG_MAX} characters", "example": ["bug"]})
    actor = text(**ACTOR)


class CardUpdateSchema(Lenient):
    title = text(TITLE_MAX, "Short summary", allow_none=True, nonblank=True)
    description = text(DESCRIPTION_MAX, "Markdown body", allow_none=True)
    column_name = text(64, "Column to move to", allow_none=True)
    assignee = text(NAME_MAX, "Who should do it", allow_none=True)
    priority = text(16, "One of " + ", ".join(PRIORITIES), allow_none=True)
    tags = fields.List(Text(validate=validate.Length(max=TAG_MAX)),
                       validate=validate.Length(max=TAGS_MAX), allow_none=True,
                       metadata={"description": "Replaces the card's tags"})
    actor = text(**ACTOR)


class MoveSchema(Lenient):
    column_name = text(64, "Destination column", "in_progress", required=True)
    position = fields.Integer(
        validate=validate.Range(min=0, max=POSITION_MAX), load_default=None, allow_none=True,
        metadata={"description": "The card's position in the column, kept as given; a "
                                 "card already there moves down one with those after "
                                 "it. Omitted: at the end"})
    actor = text(**ACTOR)


class CompleteSchema(Lenient):
    note = text(NOTE_MAX, "Added to the trace as '[COMPLETED] <note>'", load_default="")
    actor = text(**ACTOR)
    followup = fields.Boolean(load_default=False,
                              metadata={"description": "Create a follow-up card in inbox"})
    followup_title = text(TITLE_MAX, "Title of the follow-up card", load_default="")
    followup_description = text(DESCRIPTION_MAX, "Its description; a `note` is carried over "
                                "above it as 'Previous card completed with note: <note>'",
                                load_default="")


class ClaimSchema(Lenient):
    agent = text(NAME_MAX, "The claiming agent", "agent-7", required=True, nonblank=True)
    ttl_seconds = fields.Integer(load_default=300, validate=validate.Range(min=1, max=TTL_MAX),
                                 metadata={"description": "Claim lifetime", "example": 300})


class ClaimNextSchema(ClaimSchema):
    column = text(64, "Only this column (default: inbox, approved, in_progress)",
                  load_default=None, allow_none=True)
    assignee = text(NAME_MAX, "Only cards assigned to this name", load_default=None,
                    allow_none=True)
    tag = text(TAG_MAX, "Only cards with this tag", load_default=None, allow_none=True)


class ReleaseArgs(Lenient):
    agent = text(NAME_MAX, "Only this holder may release", load_default=None)


class NoteSchema(Lenient):
    author = text(NAME_MAX, "Who wrote it", "agent-7", load_default="")
    content = text(NOTE_MAX, "The note", "Tried X; failed because Y", required=True,
                   nonblank=True)


class OptionSchema(Lenient):
    key = text(100, "Machine key of the option", "a", required=True, nonblank=True)
    label = text(NAME_MAX, "Button text", "Use Postgres", load_default="")
    description = text(2000, "What choosing it means", load_default="")


class DecisionRequestSchema(Lenient):
    question = text(2000, "The question", "Which database?", required=True, nonblank=True)
    options = fields.List(fields.Nested(OptionSchema), required=True,
                          validate=validate.Length(min=1, max=OPTIONS_MAX),
                          metadata={"description": f"1 to {OPTIONS_MAX} options"})
    context = text(DESCRIPTION_MAX, "Background for the person deciding", load_default="")
    deadline = text(100, "When an answer is needed (free text or ISO time)", load_default="")
    actor = text(**ACTOR)


class DecideSchema(Lenient):
    choice = text(100, "Key of the chosen option", "a", required=True)
    actor = text(**ACTOR)
    note = text(NOTE_MAX, "Added to the trace", load_default="")
    move_to = text(64, "Column to move to afterwards (default in_progress)", load_default=None,
                   allow_none=True)


class ApprovalRequestSchema(Lenient):
    plan = text(PLAN_MAX, "The plan to approve", "1. migrate 2. deploy", required=True,
                nonblank=True)
    context = text(DESCRIPTION_MAX, "Background", load_default="")
    actor = text(**ACTOR)


class ApproveSchema(Lenient):
    approved = fields.Boolean(required=True, metadata={"description": "true approves"})
    comment = text(NOTE_MAX, "Added to the trace as [APPROVED]/[DENIED]", load_default="")
    actor = text(**ACTOR)
    move_to = text(64, "Column afterwards (default in_progress / blocked)", load_default=None,
                   allow_none=True)


class DeleteSchema(Lenient):
    reason = text(REASON_MAX, "Why", "duplicate", required=True, nonblank=True)
    actor = text(**ACTOR)


class DeleteArgs(Lenient):
    reason = text(REASON_MAX, "Why", load_default="")
    actor = text(**ACTOR)


BOARD = dict(max_length=64, description="Board id (default: main); on every call that is "
                                        "not about one card", example="main",
             load_default="main")


class BoardQueryArgs(Lenient):
    """`?board=` on a write that is not about one card (create, claim-next)."""
    board = text(**BOARD)


class CardListArgs(Lenient):
    board = text(**BOARD)
    column = text(64, "Only this column", load_default=None)
    assignee = text(NAME_MAX, "Only this assignee", load_default=None)
    q = text(SEARCH_MAX, "Text in title or description", load_default=None)
    tag = text(TAG_MAX, "Only cards with this tag", load_default=None)
    priority = text(16, "Only this priority", load_default=None)
    fields = text(1000, "Comma-separated card keys to return (id always)", "id,title",
                  load_default=None)


class BoardArgs(Lenient):
    board = text(**BOARD)
    fields = text(1000, "Comma-separated card keys to return (id always)", "id,title",
                  load_default=None)


class ActivityArgs(Lenient):
    board = text(**BOARD)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=LIST_LIMIT_MAX))
    card_id = text(32, "Only this card's events", load_default=None)


class ChangesArgs(Lenient):
    board = text(**BOARD)
    since = UTCDateTime(load_default=None, metadata={
        "description": "ISO time: events after it, newest first (Tack's cursor)"})
    after = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**63 - 1),
                           metadata={"description": "Event seq: events after it, oldest "
                                                    "first, with the next `cursor`"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=LIST_LIMIT_MAX))


class BatchOperationSchema(ma.Schema):
    """Documentation only: each operation is checked by its single call's schema."""

    class Meta:
        unknown = ma.INCLUDE

    # Raw, so one malformed operation is reported in its own result, not for all.
    action = fields.Raw(metadata={"type": "string", "description":
                                  "create, move, update, claim, release or note"})
    card_id = fields.Raw(metadata={"type": "string",
                                   "description": "The card, for all but create"})


# ---- responses -------------------------------------------------------------------

TIME = {"description": "ISO-8601 time with offset, or \"\" when absent"}


class CardSchema(ma.Schema):
    id = fields.String(metadata={"example": "card-1a2b3c4d"})
    title = fields.String()
    description = fields.String()
    column_name = fields.String()
    assignee = fields.String()
    priority = fields.String()
    position = fields.Integer()
    created_at = fields.String(metadata=TIME)
    updated_at = fields.String(metadata=TIME)
    created_by = fields.String()
    tags = fields.List(fields.String())
    claimed_by = fields.String(metadata={"description": "\"\" when free or expired"})
    claimed_at = fields.String(metadata=TIME)
    claim_expires_at = fields.String(metadata=TIME)
    decision = fields.Raw(metadata={
        "description": "\"\" when none, else the decision object",
        "oneOf": [{"type": "string"}, {"type": "object"}]})
    approval = fields.Raw(metadata={
        "description": "\"\" when none, else the approval object",
        "oneOf": [{"type": "string"}, {"type": "object"}]})
    defer_until = fields.String(metadata=TIME)
    follows_id = fields.String()


class BoardSchema(ma.Schema.from_dict(
    {key: fields.List(fields.Nested(CardSchema)) for key in COLUMN_NAMES}
)):
    class Meta:
        # A board with its own columns answers with its own column keys, so the
        # object is open: apispec leaves additionalProperties unset with a description.
        unknown = ma.INCLUDE
        description = (
            "One key per column of the board, each a list of cards in position order: "
            "the Tack workflow's eight keys on board main, a board's own column keys otherwise."
        )


class StatusSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    status = fields.String(required=True)


class CreatedSchema(StatusSchema):
    id = fields.String(required=True)


class MovedSchema(StatusSchema):
    from_ = fields.String(data_key="from")
    to = fields.String()


class CompletedSchema(StatusSchema):
    from_ = fields.String(data_key="from")
    followup_id = fields.String()


class ClaimedSchema(StatusSchema):
    agent = fields.String()
    expires_at = fields.String()


class DecisionRequestedSchema(StatusSchema):
    question = fields.String()
    options = fields.List(fields.String())


class DecidedSchema(StatusSchema):
    choice = fields.String()
    moved_to = fields.String()


class ApprovalRequestedSchema(StatusSchema):
    plan = fields.String()


class ApprovedSchema(StatusSchema):
    moved_to = fields.String()


class DeletedSchema(StatusSchema):
    reason = fields.String()


class NoteOutSchema(ma.Schema):
    id = fields.Integer()
    card_id = fields.String()
    author = fields.String()
    content = fields.String()
    timestamp = fields.String()


class ThreadSchema(ma.Schema):
    card = fields.Nested(CardSchema)
    ancestors = fields.List(fields.Nested(CardSchema))
    descendants = fields.List(fields.Nested(CardSchema))
    thread_length = fields.Integer()


class ActivitySchema(ma.Schema):
    id = fields.Integer()
    seq = fields.Integer()
    card_id = fields.String()
    action = fields.String()
    actor = fields.String()
    details = fields.String()
    timestamp = fields.String()


class ChangeSchema(ActivitySchema):
    card = fields.Nested(CardSchema, required=False, metadata={
        "description": "The card as it is now; absent once the card is deleted"})


class ChangesSchema(ma.Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    checked_at = fields.String()
    cursor = fields.Integer(metadata={"description": "Pass as `after` next time"})
    has_more = fields.Boolean()


class BatchResultSchema(ma.Schema):
    results = fields.List(fields.Dict())
    count = fields.Integer()


class HealthSchema(ma.Schema):
    status = fields.String()
    service = fields.String()
    timestamp = fields.String()
    version = fields.String()
