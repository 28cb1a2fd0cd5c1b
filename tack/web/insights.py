"""The insights page of a board (server-drawn SVG charts with their tables) and the
card lists its charts link to. Reads only: every figure comes from
tack.services.insights."""
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from tack.clock import now
from tack.errors import Invalid
from tack.services import insights
from tack.services.boards import DEFAULT_BOARD, board_row
from tack.web import charts

bp = Blueprint("insights_page", __name__)
DEFAULT_DAYS = 30
CARD_LIST_LIMIT = 500


def requested_days() -> int:
    raw = request.args.get("days", str(DEFAULT_DAYS))
    if not raw.isdigit() or int(raw) not in insights.RANGES:
        raise Invalid(f"days must be one of {', '.join(map(str, insights.RANGES))}",
                      "INVALID_RANGE")
    return int(raw)


@bp.get("/boards/<board_id>/insights")
def insights_page(board_id):
    days = requested_days()
    figures = insights.board_insights(board_id=board_id, days=days, now=now())
    return render_template("insights.html", board=board_row(board_id), days=days,
                           ranges=insights.RANGES, figures=figures,
                           charts=build_charts(board_id, days, figures),
                           cards_url=card_list_links(board_id, days))


@bp.get("/boards/<board_id>/insights/cards")
def insights_cards(board_id):
    days = requested_days()
    kind = request.args.get("kind", "")[:32]
    value = request.args.get("value", "")[:200]
    day = request.args.get("day", "")[:10]
    found = insights.cards_behind(board_id=board_id, days=days, now=now(), kind=kind,
                                  value=value, day=day)
    return render_template("insights_cards.html", board=board_row(board_id), days=days,
                           kind=kind, value=value, day=day, cards=found[:CARD_LIST_LIMIT],
                           total=len(found), on_board_page=board_id == DEFAULT_BOARD)


def card_list_links(board_id: str, days: int):
    """A function (kind, value, day) -> the card list's URL. A 90-day page has a few
    hundred links: the route is built once and the query appended, in url_for's
    order and quoting."""
    base = url_for("insights_page.insights_cards", board_id=board_id, days=days)

    def link(kind, value="", day=""):
        query = {"kind": kind, "value": value or None, "day": day or None}
        return base + "&" + urlencode({k: v for k, v in query.items() if v is not None},
                                      safe="/")
    return link


def build_charts(board_id: str, days: int, figures: dict) -> dict:
    cards = card_list_links(board_id, days)

    short_days = [label[5:] for label in figures["day_labels"]]  # MM-DD
    flow = figures["cumulative_flow"]
    # Done at the bottom, the first column on top: the usual reading of a CFD.
    stacked = [{"name": column["name"], "counts": column["counts"],
                "href": cards("column", column["key"])}
               for column in reversed(flow["columns"])]
    throughput = figures["throughput"]
    result = {
        "flow": charts.stacked_areas(flow["days"], stacked, short_days),
        "throughput": charts.bar_chart(
            throughput["days"], throughput["completed"],
            [cards("completed", day) for day in throughput["days"]],
            short_labels=short_days),
        "aging": charts.bar_chart(
            figures["aging"]["buckets"], figures["aging"]["totals"],
            [cards("age", label) for label in figures["aging"]["buckets"]]),
        "agents": charts.bar_chart(
            [a["agent"] for a in figures["agents"]],
            [a["completions"] for a in figures["agents"]],
            [cards("agent", a["agent"]) for a in figures["agents"]], unit="completed"),
    }
    for name in ("lead_time", "cycle_time"):
        buckets = figures[name]["buckets"]
        result[name] = charts.bar_chart([b["label"] for b in buckets],
                                        [b["cards"] for b in buckets],
                                        [cards("completed")] * len(buckets))
    if figures["costs"]:
        costs = figures["costs"]
        result["costs"] = charts.bar_chart(
            [a["agent"] for a in costs["agents"]], [a["cost"] for a in costs["agents"]],
            [cards("runs", a["agent"]) for a in costs["agents"]], unit="USD")
        # Cost per day, one band per agent; a band links to the cards that agent
        # ran executions on that day.
        result["agent_day_costs"] = charts.stacked_bars(
            figures["day_labels"],
            [{"name": series["agent"], "values": [d["cost"] for d in series["days"]],
              "hrefs": [cards("runs", series["agent"], d["day"]) for d in series["days"]]}
             for series in costs["agent_days"]],
            short_labels=short_days, unit="USD")
    result["stacked_names"] = [s["name"] for s in stacked]
    return result
