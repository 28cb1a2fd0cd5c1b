"""What each /api/v1 call accepts and returns (validation and the OpenAPI document).
Unknown fields are ignored, as the contract's clients send extras (`key`, ...)."""
import marshmallow as ma
from marshmallow import fields, validate

from tack.api.schemas import (
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    POSITION_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    Lenient,
    UTCDateTime,
    text,
)
from tack.services.boards import COLUMNS_MAX

BATCH_MAX = 50
TASK_LIST_DEFAULT = 200
TASK_LIST_MAX = 1000
ACTIVITY_DEFAULT = 50
ACTIVITY_MAX = 500
SEARCH_DEFAULT = 50
SEARCH_MAX = 100
SEARCH_QUERY_MAX = 500  # tack.services.search.QUERY_MAX
DEPENDENCY_NOTE_MAX = 2000  # tack.services.dependencies.NOTE_MAX


def position(**kwargs):
    return fields.Integer(validate=validate.Range(min=0, max=POSITION_MAX), **kwargs)


ACTOR_NAME = dict(max_length=NAME_MAX, description="Who is acting (display name)")


class BoardCreateSchema(Lenient):
    name = text(NAME_MAX, "Board name (required, non-empty)", load_default="")
    description = text(DESCRIPTION_MAX, "Description", load_default="")
    columns = fields.List(text(NAME_MAX, "Column name"), validate=validate.Length(
        min=1, max=COLUMNS_MAX), load_default=None,
        metadata={"description": "Column names in order (default: Backlog, Up Next, "
                                 "In Progress, Review, Done)"})
    is_public = fields.Boolean(load_default=False)
    require_display_name = fields.Boolean(load_default=False)
    workflow = fields.String(validate=validate.OneOf(["columns", "tack"]),
                             load_default="columns",
                             metadata={"description": "Tack extension: `columns` (free "
                                                      "columns) or `tack` (Tack's eight)"})


class BoardUpdateSchema(Lenient):
    name = text(NAME_MAX, "Board name")
    description = text(DESCRIPTION_MAX, "Description")
    is_public = fields.Boolean()
    require_display_name = fields.Boolean()
    quick_done_column_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    quick_done_auto_archive = fields.Boolean()
    quick_reassign_column_id = fields.String(allow_none=True,
                                             validate=validate.Length(max=64))
    quick_reassign_to = text(NAME_MAX, "Name tasks are reassigned to", allow_none=True)


class BoardListArgs(Lenient):
    include_archived = fields.Boolean(load_default=False)


class ColumnCreateSchema(Lenient):
    name = text(NAME_MAX, "Column name", load_default="")
    position = position(allow_none=True, load_default=None)
    wip_limit = fields.Integer(allow_none=True, load_default=None)


class ColumnUpdateSchema(Lenient):
    name = text(NAME_MAX, "Column name")
    wip_limit = fields.Integer(allow_none=True,
                               metadata={"description": "null removes the limit"})


class ColumnReorderSchema(Lenient):
    column_ids = fields.List(fields.String(), required=True,
                             validate=validate.Length(max=COLUMNS_MAX))


class PriorityField(fields.Raw):
    """0-3 or low / medium / high / critical (checked by the translation)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ma.ValidationError("Must be 0-3 or low, medium, high, critical.")
        return value


LABELS = dict(validate=validate.Length(max=TAGS_MAX),
              metadata={"description": f"Labels, normalised to lower-case-with-dashes "
                                       f"(at most {TAGS_MAX}, each {TAG_MAX} characters)"})
METADATA = dict(metadata={"description": "Any JSON object (at most 16 KB)"})


class TaskCreateSchema(Lenient):
    title = text(TITLE_MAX, "Title", load_default="")
    description = text(DESCRIPTION_MAX, "Markdown description", load_default="")
    column_id = fields.String(allow_none=True, load_default=None)
    priority = PriorityField(load_default=0)
    position = position(allow_none=True, load_default=None)
    assigned_to = text(NAME_MAX, "Responsible person or agent", allow_none=True,
                       load_default="")
    labels = fields.List(text(TAG_MAX, "Label"), load_default=list, **LABELS)
    metadata = fields.Dict(allow_none=True, load_default=None, **METADATA)
    due_at = UTCDateTime(allow_none=True, load_default=None)
    actor_name = text(**ACTOR_NAME, load_default="")


class TaskUpdateSchema(Lenient):
    title = text(TITLE_MAX, "Title")
    description = text(DESCRIPTION_MAX, "Markdown description")
    column_id = fields.String()
    priority = PriorityField()
    assigned_to = text(NAME_MAX, "Responsible person or agent", allow_none=True)
    labels = fields.List(text(TAG_MAX, "Label"), **LABELS)
    metadata = fields.Dict(allow_none=True, **METADATA)
    due_at = UTCDateTime(allow_none=True)
    actor_name = text(**ACTOR_NAME, load_default="")


class TaskListArgs(Lenient):
    column = fields.String(load_default=None)
    assigned = fields.String(load_default=None)
    claimed = fields.String(load_default=None)
    priority = PriorityField(load_default=None)
    label = fields.String(load_default=None)
    archived = fields.Boolean(load_default=False)
    updated_before = UTCDateTime(load_default=None)
    limit = fields.Integer(validate=validate.Range(min=1, max=TASK_LIST_MAX),
                           load_default=TASK_LIST_DEFAULT)
    offset = fields.Integer(validate=validate.Range(min=0), load_default=0)


class ActorArgs(Lenient):
    actor = text(NAME_MAX, "Who is acting", load_default="")


class ReorderSchema(Lenient):
    position = position(required=True)
    column_id = fields.String(allow_none=True, load_default=None)
    actor_name = text(**ACTOR_NAME, load_default="")


class BatchSchema(Lenient):
    actor_name = text(**ACTOR_NAME, load_default="")
    operations = fields.List(fields.Dict(), load_default=list,
                             metadata={"description": f"At most {BATCH_MAX}: move "
                                                      "(column_id), update, delete"})


class BatchOperationSchema(TaskUpdateSchema):
    action = fields.String(required=True, validate=validate.OneOf(["move", "update",
                                                                   "delete"]))
    task_ids = fields.List(fields.String(), required=True,
                           validate=validate.Length(min=1, max=TASK_LIST_MAX))
    actor_name = fields.String(load_default="")


class CommentSchema(Lenient):
    message = text(NOTE_MAX, "Comment text; @Name and @\"Quoted Name\" mention",
                   load_default="")
    actor_name = text(**ACTOR_NAME, load_default="")


class ActivityArgs(Lenient):
    since = UTCDateTime(load_default=None)
    after = fields.Integer(validate=validate.Range(min=0), load_default=None)
    limit = fields.Integer(validate=validate.Range(min=1, max=ACTIVITY_MAX),
                           load_default=ACTIVITY_DEFAULT)
    mentioned = fields.String(load_default=None)


class TaskSearchArgs(Lenient):
    # Blank or missing q is EMPTY_QUERY, the service's refusal.
    q = text(SEARCH_QUERY_MAX, "Words to find (required); each must appear",
             load_default="")
    column = fields.String(load_default=None)
    assigned = fields.String(load_default=None)
    claimed = fields.String(load_default=None)
    priority = PriorityField(load_default=None)
    label = fields.String(load_default=None)
    limit = fields.Integer(validate=validate.Range(min=1, max=SEARCH_MAX),
                           load_default=SEARCH_DEFAULT)
    offset = fields.Integer(validate=validate.Range(min=0), load_default=0)


class TaskDependencyListArgs(Lenient):
    task = fields.String(load_default=None,
                         metadata={"description": "Only where this task is blocker or blocked"})


class TaskDependencyCreateSchema(Lenient):
    blocker_task_id = fields.String(required=True)
    blocked_task_id = fields.String(required=True)
    note = text(DEPENDENCY_NOTE_MAX, "Why", load_default="")
    actor_name = text(**ACTOR_NAME, load_default="")


# Responses (the OpenAPI document; bodies are built in tack.kanban.translate).

class ColumnOut(ma.Schema):
    id = fields.String()
    name = fields.String()
    position = fields.Integer()
    wip_limit = fields.Integer(allow_none=True)
    task_count = fields.Integer()


class BoardSummaryOut(ma.Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    task_count = fields.Integer()
    archived = fields.Boolean()
    is_public = fields.Boolean()
    created_at = fields.String()


class BoardOut(BoardSummaryOut):
    columns = fields.List(fields.Nested(ColumnOut))
    require_display_name = fields.Boolean()
    quick_done_column_id = fields.String(allow_none=True)
    quick_done_auto_archive = fields.Boolean()
    quick_reassign_column_id = fields.String(allow_none=True)
    quick_reassign_to = fields.String(allow_none=True)
    updated_at = fields.String()


class BoardCreatedOut(ma.Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    columns = fields.List(fields.Nested(ColumnOut))
    manage_key = fields.String(metadata={"description": "Shown only here: save it"})
    view_url = fields.String()
    manage_url = fields.String()
    api_base = fields.String()
    created_at = fields.String()


class TaskOut(ma.Schema):
    id = fields.String()
    board_id = fields.String()
    column_id = fields.String()
    column_name = fields.String()
    title = fields.String()
    description = fields.String()
    priority = fields.Integer()
    position = fields.Integer()
    created_by = fields.String()
    assigned_to = fields.String(allow_none=True)
    claimed_by = fields.String(allow_none=True)
    claimed_at = fields.String(allow_none=True)
    labels = fields.List(fields.String())
    metadata = fields.Dict()
    due_at = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)
    archived_at = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    comment_count = fields.Integer()


class TaskSearchOut(ma.Schema):
    query = fields.String()
    tasks = fields.List(fields.Nested(TaskOut), metadata={"description": "Best first"})
    total = fields.Integer(metadata={"description": "Matches in all, across pages"})
    limit = fields.Integer()
    offset = fields.Integer()


class TaskDependencyOut(ma.Schema):
    id = fields.String()
    board_id = fields.String()
    blocker_task_id = fields.String()
    blocker_title = fields.String()
    blocker_column = fields.String()
    blocker_completed = fields.Boolean()
    blocked_task_id = fields.String()
    blocked_title = fields.String()
    blocked_column = fields.String()
    note = fields.String()
    created_by = fields.String()
    created_at = fields.String()


class MessageOut(ma.Schema):
    message = fields.String()


class EventOut(ma.Schema):
    id = fields.String()
    task_id = fields.String()
    event_type = fields.String()
    actor = fields.String()
    data = fields.Dict()
    created_at = fields.String()
    seq = fields.Integer()


class ActivityOut(EventOut):
    task_title = fields.String(allow_none=True)
    task = fields.Nested(TaskOut, allow_none=True)
    recent_comments = fields.List(fields.Dict(), allow_none=True)
    mentions = fields.List(fields.String(), allow_none=True)


class BatchResultOut(ma.Schema):
    total = fields.Integer()
    succeeded = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Dict())


class ErrorOut(ma.Schema):
    error = fields.String(metadata={"description": "Human-readable message"})
    code = fields.String(metadata={"description": "Machine-readable code"})
    status = fields.Integer(metadata={"description": "The HTTP status"})


class HealthOut(ma.Schema):
    status = fields.String()
    version = fields.String()
