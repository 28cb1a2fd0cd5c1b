"""The Clawboo document's request bodies (its Zod schemas), as marshmallow schemas.
Unknown keys are dropped, as Zod's default object schema does; strings with NUL
characters are refused (PostgreSQL cannot store them)."""
import marshmallow as ma
from marshmallow import validate

from tack.api.schemas import Lenient as Body
from tack.api.schemas import Text
from tack.services.workflows import FINAL_EXECUTION_STATUSES, STATUSES, VERDICTS
from tack.services.workspaces import ACTIONS, KINDS

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


class ClawbooTaskListArgs(Body):
    teamId = Text(load_default=None)
    status = Text(load_default=None, validate=validate.OneOf(STATUSES))
    ready = Text(load_default=None)
    includeDropped = Text(load_default=None)


class ClawbooTaskCreate(Body):
    title = Text(required=True, validate=TITLE)
    description = Text(load_default="", validate=validate.Length(max=LONG_TEXT))
    status = Text(load_default="todo", validate=validate.OneOf(STATUSES))
    priority = StrictInt(load_default=None, allow_none=True)
    teamId = Text(load_default=None, allow_none=True)
    parentTaskId = Text(load_default=None, allow_none=True)


class ClawbooTaskPatch(Body):
    status = Text(validate=validate.OneOf(STATUSES))
    priority = StrictInt()
    title = Text(validate=TITLE)
    description = Text(validate=validate.Length(max=LONG_TEXT))
    humanOverride = ma.fields.Boolean()
    # Tack's additions for the audit log: who overrides, and why.
    overriddenBy = Text(validate=validate.Length(max=200))
    overrideReason = Text(validate=validate.Length(max=2000))

    @ma.validates_schema
    def needs_a_field(self, data, **_kwargs):
        if not any(field in data for field in ("status", "priority", "title", "description")):
            raise ma.ValidationError("At least one of status, priority, title, description "
                                     "is required")


class ClawbooClaim(Body):
    assigneeAgentId = Text(required=True, validate=validate.Length(min=1, max=200))
    assigneeRuntime = Text(load_default=None, allow_none=True,
                                       validate=validate.Length(max=100))


class ClawbooComment(Body):
    body = Text(required=True, validate=validate.Length(min=1, max=LONG_TEXT))
    authorAgentId = Text(load_default=None, allow_none=True,
                                     validate=validate.Length(max=200))
    authorType = Text(load_default="agent",
                                  validate=validate.OneOf(("agent", "user", "system")))


class ClawbooExecutionOpen(Body):
    executorType = Text(required=True, validate=validate.Length(min=1, max=100))
    beforeCommit = Text(load_default=None, allow_none=True,
                                    validate=validate.Length(max=100))
    runReason = Text(load_default="", validate=validate.Length(max=2000))


class ClawbooExecutionClose(Body):
    status = Text(required=True, validate=validate.OneOf(FINAL_EXECUTION_STATUSES))
    summary = Text(load_default=None, allow_none=True,
                               validate=validate.Length(max=LONG_TEXT))
    afterCommit = Text(load_default=None, allow_none=True,
                                   validate=validate.Length(max=100))
    inputTokens = StrictInt(load_default=None, allow_none=True, validate=validate.Range(min=0))
    outputTokens = StrictInt(load_default=None, allow_none=True, validate=validate.Range(min=0))
    costUsd = ma.fields.Float(load_default=None, allow_none=True, allow_nan=False,
                              validate=validate.Range(min=0))
    error = Text(load_default=None, allow_none=True,
                             validate=validate.Length(max=LONG_TEXT))


class ClawbooDependency(Body):
    dependsOnTaskId = Text(required=True, validate=validate.Length(min=1, max=64))


class ClawbooVerification(Body):
    verdict = Text(required=True, validate=validate.OneOf(VERDICTS))
    detail = Text(load_default="", validate=validate.Length(max=LONG_TEXT))
    actor = Text(load_default="", validate=validate.Length(max=200))


class ClawbooTeamCreate(Body):
    name = Text(required=True, validate=validate.Length(min=1, max=200))


class ClawbooAuditArgs(Body):
    teamId = Text(load_default=None)
    taskId = Text(load_default=None)


class ClawbooWorkspaceCreate(Body):
    repoPath = Text(required=True, validate=validate.Length(min=1, max=4096))
    kind = Text(load_default="code", validate=validate.OneOf(KINDS))
    baseRef = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=255))
    # The "or a given base sha": a commit to branch from, winning over baseRef.
    baseSha = Text(load_default=None, allow_none=True,
                   validate=validate.Regexp(r"^[0-9a-fA-F]{4,64}$"))


class ClawbooWorkspaceAction(Body):
    # resume is Tack's addition: check a paused workspace's branch out again.
    action = Text(required=True, validate=validate.OneOf(ACTIONS))


class ClawbooHandoff(Body):
    handoffFrom = Text(required=True, validate=validate.Length(min=1, max=200))
    runtime = Text(required=True, validate=validate.Length(min=1, max=100))
    completedSubtasks = ma.fields.List(Text(validate=validate.Length(max=2000)),
                                       validate=validate.Length(max=200), load_default=list)
    brokenOrUnverified = ma.fields.List(Text(validate=validate.Length(max=2000)),
                                        validate=validate.Length(max=200), load_default=list)
    nextBestStep = Text(load_default="", validate=validate.Length(max=LONG_TEXT))
