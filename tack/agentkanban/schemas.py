"""Request bodies and query strings of /api/ext/v1, in the contract's camelCase.
Unknown fields are ignored (integrations send extras); values are checked again by
the services, which hold the rules. Strings never hold NUL (PostgreSQL refuses it)."""
from datetime import timezone

import marshmallow as ma
from marshmallow import validate

from tack.api.schemas import Lenient as Body
from tack.api.schemas import Text
from tack.services.turns import BATCH_MAX

SOURCES = ["api", "agent"]


def strict_bool(**kwargs) -> ma.fields.Boolean:
    """true or false only (not "yes", 1...)."""
    return ma.fields.Boolean(truthy={True}, falsy={False}, **kwargs)


class AkBoardCreate(Body):
    name = Text(required=True, validate=validate.Length(min=1, max=200),
                            metadata={"description": "Board name", "example": "New Board"})


class AkLaneCreate(Body):
    name = Text(required=True, validate=validate.Length(min=1, max=200),
                            metadata={"example": "In Review"})


class AkLaneUpdate(Body):
    name = Text(validate=validate.Length(min=1, max=200),
                            metadata={"example": "Code Review"})
    position = ma.fields.Integer(strict=True, validate=validate.Range(min=0),
                                 metadata={"description": "New 0-based place", "example": 2})


class AkTaskListArgs(Body):
    lane_id = Text(data_key="laneId", load_default=None)
    include_archived = ma.fields.Boolean(data_key="includeArchived", load_default=False)
    short_id_prefix = Text(data_key="shortIdPrefix", load_default=None)


class AkTaskCreate(Body):
    title = Text(required=True, validate=validate.Length(min=1, max=500),
                             metadata={"example": "New task"})
    lane_id = Text(data_key="laneId", load_default=None,
                               metadata={"description": "Lane (default: the first)"})
    description = Text(load_default="")
    priority = ma.fields.Raw(load_default=None, metadata={"description": "0 to 4"})
    tags = ma.fields.List(Text(validate=validate.Length(max=100)),
                          load_default=None, validate=validate.Length(max=50))


class AkTaskUpdate(Body):
    title = Text(validate=validate.Length(min=1, max=500))
    description = Text()
    priority = ma.fields.Raw(metadata={"description": "0 to 4"})
    tags = ma.fields.List(Text(validate=validate.Length(max=100)),
                          validate=validate.Length(max=50))
    archived = strict_bool()


class AkTaskMove(Body):
    lane_id = Text(data_key="laneId", required=True,
                               validate=validate.Length(min=1))
    position = ma.fields.Integer(strict=True, load_default=None, validate=validate.Range(min=0))


class AkCommentCreate(Body):
    body = Text(required=True, validate=validate.Length(min=1, max=50_000))
    author_name = Text(data_key="authorName", load_default=None,
                                   validate=validate.Length(max=200))
    source = Text(load_default="api", validate=validate.OneOf(SOURCES))


class AkCommentListArgs(Body):
    author_source = Text(data_key="authorSource", load_default=None,
                                     validate=validate.OneOf(["user", "api", "agent"]))


class AkTodoCreate(Body):
    text = Text(required=True, metadata={"example": "Update release notes"})
    iteration = ma.fields.Integer(strict=True, load_default=1)
    source = Text(load_default="api", validate=validate.OneOf(SOURCES))
    done = strict_bool(load_default=False)


class AkTodoUpdate(Body):
    text = Text()
    done = strict_bool()
    iteration = ma.fields.Integer(strict=True)


class AkTodoReorder(Body):
    ordered_ids = ma.fields.List(Text(), data_key="orderedIds", required=True)


class AkTurnIn(Body):
    source = Text(required=True, validate=validate.Length(min=1, max=64))
    source_id = Text(data_key="sourceId", required=True,
                                 validate=validate.Length(min=1, max=200))
    role = Text(required=True, validate=validate.Length(min=1, max=32))
    content = Text(load_default="")
    # A time without an offset is taken as UTC.
    captured_at = ma.fields.AwareDateTime(data_key="capturedAt", required=True,
                                          default_timezone=timezone.utc)
    tool_use_only = ma.fields.Boolean(data_key="toolUseOnly", load_default=False)


class AkTurnBatch(Body):
    turns = ma.fields.List(ma.fields.Nested(AkTurnIn), required=True,
                           validate=validate.Length(min=1, max=BATCH_MAX))


class AkTurnListArgs(Body):
    source = Text(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = ma.fields.AwareDateTime(load_default=None, default_timezone=timezone.utc)
    cursor = Text(load_default=None)


class AkWebhookCreate(Body):
    url = Text(required=True)
    events = ma.fields.List(Text(), load_default=None)
    board_id = Text(data_key="boardId", load_default=None,
                                metadata={"description": "One board (default: every "
                                                         "board the key can read)"})


class AkWebhookUpdate(Body):
    url = Text()
    events = ma.fields.List(Text())
    active = strict_bool()
