"""/api/insights: the insights page's figures as JSON, documented in OpenAPI."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from tack.api import schemas as s
from tack.clock import now
from tack.services import insights
from tack.services.boards import DEFAULT_BOARD

blp = Blueprint("insights_api", __name__, url_prefix="/api",
                description="How work flows on a board: cumulative flow, lead and cycle "
                            "times, throughput, aging, stale claims, agent activity")


def _days(description: str):
    return fields.Float(allow_none=True, metadata={"description": description,
                                                   "example": 1.5})


class InsightsArgs(s.Lenient):
    board = s.text(64, "The board", DEFAULT_BOARD, load_default=DEFAULT_BOARD)
    days = fields.Integer(load_default=30, validate=validate.OneOf(insights.RANGES),
                          metadata={"description": "The window: this many whole UTC "
                                                   "days ending today", "example": 30})


class FlowColumnSchema(s.ma.Schema):
    key = fields.String(metadata={"example": "in_progress"})
    name = fields.String(metadata={"example": "In Progress"})
    role = fields.String(metadata={"example": "doing"})
    counts = fields.List(fields.Integer(), metadata={
        "description": "Cards in the column at the end of each day (today: now), "
                       "one per entry of `days`"})


class FlowSchema(s.ma.Schema):
    days = fields.List(fields.String(), metadata={"example": ["2026-03-01", "2026-03-02"]})
    columns = fields.List(fields.Nested(FlowColumnSchema))


class BucketSchema(s.ma.Schema):
    label = fields.String(metadata={"example": "1-2 days"})
    cards = fields.Integer(metadata={"example": 4})


class PercentilesSchema(s.ma.Schema):
    p50 = _days("Median, in days (nearest rank); null with no cards")
    p85 = _days("85th percentile, in days")
    p95 = _days("95th percentile, in days")


class DistributionSchema(s.ma.Schema):
    count = fields.Integer(metadata={"description": "Completions measured"})
    percentiles_days = fields.Nested(PercentilesSchema)
    buckets = fields.List(fields.Nested(BucketSchema))


class ThroughputSchema(s.ma.Schema):
    days = fields.List(fields.String())
    completed = fields.List(fields.Integer(), metadata={
        "description": "Cards entering a done column each day"})
    total = fields.Integer()


class AgedCardSchema(s.ma.Schema):
    card_id = fields.String(metadata={"example": "card-1a2b3c4d"})
    title = fields.String()
    column_name = fields.String()
    age_days = fields.Float(metadata={"description": "Days in its current column"})
    entered_at = fields.DateTime(metadata={"description": "When it entered that column"})
    claimed_by = fields.String(allow_none=True)
    assignee = fields.String()


class AgingColumnSchema(s.ma.Schema):
    key = fields.String()
    name = fields.String()
    cards = fields.List(fields.Integer(), metadata={"description": "Per age bucket"})


class AgingSchema(s.ma.Schema):
    buckets = fields.List(fields.String(), metadata={"example": ["< 1 day", "1-3 days"]})
    columns = fields.List(fields.Nested(AgingColumnSchema))
    totals = fields.List(fields.Integer(), metadata={"description": "Per age bucket"})
    oldest = fields.List(fields.Nested(AgedCardSchema), metadata={
        "description": f"The {insights.OLDEST_NAMED} cards longest in their column"})


class StaleClaimSchema(s.ma.Schema):
    card_id = fields.String()
    title = fields.String()
    column_name = fields.String()
    claimed_by = fields.String()
    claimed_at = fields.DateTime()
    held_hours = fields.Float()


class AgentSchema(s.ma.Schema):
    agent = fields.String(metadata={"example": "claude-1"})
    claims = fields.Integer(metadata={"description": "Cards claimed (each card once: renewals and re-claims are not new work)"})
    completions = fields.Integer()
    notes = fields.Integer()


class AgentCostSchema(s.ma.Schema):
    agent = fields.String(metadata={"description": "The executor that ran (the ledger's "
                                                   "executorType)", "example": "claude-code"})
    runs = fields.Integer(metadata={"description": "Executions started in the range"})
    input_tokens = fields.Integer()
    output_tokens = fields.Integer()
    cost = fields.Float(metadata={"description": "USD", "example": 0.012})


class DayCostSchema(s.ma.Schema):
    day = fields.String(metadata={"example": "2026-03-02"})
    runs = fields.Integer(metadata={"description": "Executions started that UTC day"})
    input_tokens = fields.Integer()
    output_tokens = fields.Integer()
    cost = fields.Float(metadata={"description": "USD"})


class AgentDaysCostSchema(s.ma.Schema):
    agent = fields.String(metadata={"example": "claude-code"})
    days = fields.List(fields.Nested(DayCostSchema), metadata={
        "description": "One entry per day of the range, in order"})


class CostsSchema(s.ma.Schema):
    agents = fields.List(fields.Nested(AgentCostSchema), metadata={
        "description": "Per agent, most expensive first"})
    days = fields.List(fields.Nested(DayCostSchema), metadata={
        "description": "Per day, all agents together"})
    agent_days = fields.List(fields.Nested(AgentDaysCostSchema), metadata={
        "description": "Per agent per day (agents in the order of `agents`)"})


class InsightsSchema(s.ma.Schema):
    board_id = fields.String()
    days = fields.Integer()
    now = fields.DateTime()
    from_ = fields.DateTime(data_key="from", metadata={"description": "Start of the window"})
    cumulative_flow = fields.Nested(FlowSchema)
    lead_time = fields.Nested(DistributionSchema, metadata={
        "description": "Created to done, for cards completed in the window"})
    cycle_time = fields.Nested(DistributionSchema, metadata={
        "description": "First move into a doing column to done"})
    throughput = fields.Nested(ThroughputSchema)
    aging = fields.Nested(AgingSchema)
    stale_claims = fields.List(fields.Nested(StaleClaimSchema), metadata={
        "description": "Live claims held 2 hours or more, longest first"})
    waiting = fields.List(fields.Nested(AgedCardSchema), metadata={
        "description": "Cards in decision or approval columns, longest waiting first"})
    agents = fields.List(fields.Nested(AgentSchema))
    costs = fields.Nested(CostsSchema, allow_none=True, metadata={
        "description": "Tokens and cost from the executions ledger (Clawboo), runs "
                       "counted on the UTC day they started; null when the board has "
                       "never run an execution"})


@blp.route("/insights")
class Insights(MethodView):
    @blp.arguments(InsightsArgs(), location="query")
    @blp.response(200, InsightsSchema)
    def get(self, args):
        """Every figure of the board's insights page for the last `days` days."""
        figures = insights.board_insights(board_id=args["board"], days=args["days"],
                                          now=now())
        figures["from_"] = figures.pop("from")
        return figures
