"""The Clawboo document's request bodies (its Zod schemas), as marshmallow schemas.
Unknown keys are dropped, as Zod's default object schema does."""
import marshmallow as ma
from marshmallow import validate

from tack.services.workflows import FINAL_EXECUTION_STATUSES, STATUSES, VERDICTS

TITLE = validate.Length(min=1, max=500)
LONG_TEXT = 20_000


class StrictInt(ma.fields.Integer):
    """An integer: never a float, a string or a boolean."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Body(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


class ClawbooTaskListArgs(Body):
    teamId = ma.fields.String(load_default=None)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    ready = ma.fields.String(load_default=None)
    includeDropped = ma.fields.String(load_default=None)


class ClawbooTaskCreate(Body):
    title = ma.fields.String(required=True, validate=TITLE)
    description = ma.fields.String(load_default="", validate=validate.Length(max=LONG_TEXT))
    status = ma.fields.String(load_default="todo", validate=validate.OneOf(STATUSES))
    priority = StrictInt(load_default=None, allow_none=True)
    teamId = ma.fields.String(load_default=None, allow_none=True)
    parentTaskId = ma.fields.String(load_default=None, allow_none=True)


class ClawbooTaskPatch(Body):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    priority = StrictInt()
    title = ma.fields.String(validate=TITLE)
    description = ma.fields.String(validate=validate.Length(max=LONG_TEXT))
    humanOverride = ma.fields.Boolean()
    # Tack's additions for the audit log: who overrides, and why.
    overriddenBy = ma.fields.String(validate=validate.Length(max=200))
    overrideReason = ma.fields.String(validate=validate.Length(max=2000))

    @ma.validates_schema
    def needs_a_field(self, data, **_kwargs):
        if not any(field in data for field in ("status", "priority", "title", "description")):
            raise ma.ValidationError("At least one of status, priority, title, description "
                                     "is required")


class ClawbooClaim(Body):
    assigneeAgentId = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    assigneeRuntime = ma.fields.String(load_default=None, allow_none=True,
                                       validate=validate.Length(max=100))


class ClawbooComment(Body):
    body = ma.fields.String(required=True, validate=validate.Length(min=1, max=LONG_TEXT))
    authorAgentId = ma.fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=200))
    authorType = ma.fields.String(load_default="agent",
                                  validate=validate.OneOf(("agent", "user", "system")))


class ClawbooExecutionOpen(Body):
    executorType = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    beforeCommit = ma.fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=100))
    runReason = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class ClawbooExecutionClose(Body):
    status = ma.fields.String(required=True, validate=validate.OneOf(FINAL_EXECUTION_STATUSES))
    summary = ma.fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=LONG_TEXT))
    afterCommit = ma.fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=100))
    inputTokens = StrictInt(load_default=None, allow_none=True, validate=validate.Range(min=0))
    outputTokens = StrictInt(load_default=None, allow_none=True, validate=validate.Range(min=0))
    costUsd = ma.fields.Float(load_default=None, allow_none=True, allow_nan=False,
                              validate=validate.Range(min=0))
    error = ma.fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=LONG_TEXT))


class ClawbooDependency(Body):
    dependsOnTaskId = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))


class ClawbooVerification(Body):
    verdict = ma.fields.String(required=True, validate=validate.OneOf(VERDICTS))
    detail = ma.fields.String(load_default="", validate=validate.Length(max=LONG_TEXT))
    actor = ma.fields.String(load_default="", validate=validate.Length(max=200))


class ClawbooTeamCreate(Body):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))


class ClawbooAuditArgs(Body):
    teamId = ma.fields.String(load_default=None)
    taskId = ma.fields.String(load_default=None)
