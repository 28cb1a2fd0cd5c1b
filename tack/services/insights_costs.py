"""Tokens and cost per agent and per day, from Clawboo's executions ledger
(tack.models_clawboo.Execution, table `clawboo_executions`).

How the ledger is read:
- A run belongs to the board of its card (the ledger row names the card, not the
  board) and to the agent that ran it: the ledger names its executor
  (`executor_type`, e.g. "claude-code"), and the `execution_started` event is
  written with that name as its actor, so the activity panels and these agree.
- A run counts on the UTC day it started (`created_at`). Tokens and cost arrive when
  it is closed; a run still open counts as a run with no tokens yet.
- AgentKanban keeps no ledger (its captured turns carry no tokens or cost), so only
  Clawboo executions are counted.

A board that has never run an execution has no cost panels (None), so boards that
do not use the ledger are not shown an empty chart.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tack.models import Card
from tack.models_clawboo import Execution
from tack.services.reading import fetch

EXECUTIONS = Execution.__table__
CARDS = Card.__table__
NOBODY = "(unnamed)"
COST_DIGITS = 6  # the ledger's own totals are rounded the same way


def _of_board(board_id: str):
    return sa.and_(CARDS.c.id == EXECUTIONS.c.card_id, CARDS.c.board_id == board_id)


def has_runs(board_id: str) -> bool:
    # An empty ledger (no board has run anything) answers from one index probe;
    # the join below walks the board's cards to probe the ledger for each.
    if not fetch(sa.select(EXECUTIONS.c.id).limit(1)):
        return False
    return bool(fetch(sa.select(EXECUTIONS.c.id).select_from(EXECUTIONS.join(CARDS, _of_board(
        board_id))).limit(1)))


def ledger_totals(board_id: str, start: datetime, end: datetime) -> list[sa.Row]:
    """(agent, day, runs, input_tokens, output_tokens, cost) per agent and UTC day
    for runs started in [start, end], summed by the database."""
    from tack.services.insights import day_of
    day = day_of(EXECUTIONS.c.created_at)
    return fetch(
        sa.select(EXECUTIONS.c.executor_type.label("agent"), day.label("day"),
                  sa.func.count().label("runs"),
                  sa.func.coalesce(sa.func.sum(EXECUTIONS.c.input_tokens), 0)
                  .label("input_tokens"),
                  sa.func.coalesce(sa.func.sum(EXECUTIONS.c.output_tokens), 0)
                  .label("output_tokens"),
                  sa.func.coalesce(sa.func.sum(EXECUTIONS.c.cost_usd), 0).label("cost"))
        .select_from(EXECUTIONS.join(CARDS, _of_board(board_id)))
        .where(EXECUTIONS.c.created_at >= start, EXECUTIONS.c.created_at <= end)
        .group_by(EXECUTIONS.c.executor_type, day)
    )


def _zero(**names) -> dict:
    return {**names, "runs": 0, "input_tokens": 0, "output_tokens": 0, "cost": 0.0}


def _add(totals: dict, row) -> None:
    totals["runs"] += row.runs
    totals["input_tokens"] += int(row.input_tokens)
    totals["output_tokens"] += int(row.output_tokens)
    totals["cost"] += float(row.cost)


def agent_costs(w) -> dict | None:
    """Per agent (totals), per day (all agents), and per agent per day (one entry for
    every day of the window, for the stacked chart). None when the board has never
    run an execution."""
    if not has_runs(w.board_id):
        return None
    agents: dict[str, dict] = {}
    per_day = {label: _zero(day=label) for label in w.day_labels}
    per_agent_day: dict[str, dict[str, dict]] = {}
    for row in ledger_totals(w.board_id, w.start, w.now):
        name = row.agent or NOBODY
        _add(agents.setdefault(name, _zero(agent=name)), row)
        if row.day in per_day:
            _add(per_day[row.day], row)
            days = per_agent_day.setdefault(
                name, {label: _zero(day=label) for label in w.day_labels})
            _add(days[row.day], row)
    for totals in [*agents.values(), *per_day.values(),
                   *(day for days in per_agent_day.values() for day in days.values())]:
        totals["cost"] = round(totals["cost"], COST_DIGITS)
    ordered = sorted(agents.values(), key=lambda a: (-a["cost"], a["agent"]))
    return {
        "agents": ordered,
        "days": list(per_day.values()),
        "agent_days": [{"agent": agent["agent"],
                        "days": list(per_agent_day[agent["agent"]].values())}
                       for agent in ordered if agent["agent"] in per_agent_day],
    }


def cards_run_by(board_id: str, start: datetime, end: datetime, agent: str,
                 day: str = "") -> list[sa.Row]:
    """(card id, title, runs, cost) of the cards `agent` ran executions on in
    [start, end] (only on `day`, 'YYYY-MM-DD', when given), most expensive first."""
    from tack.services.insights import day_of
    named = EXECUTIONS.c.executor_type == agent if agent != NOBODY else \
        sa.or_(EXECUTIONS.c.executor_type.is_(None), EXECUTIONS.c.executor_type == "")
    query = (sa.select(CARDS.c.id, CARDS.c.title, sa.func.count().label("runs"),
                       sa.func.coalesce(sa.func.sum(EXECUTIONS.c.cost_usd), 0).label("cost"))
             .select_from(EXECUTIONS.join(CARDS, _of_board(board_id)))
             .where(named, EXECUTIONS.c.created_at >= start, EXECUTIONS.c.created_at <= end)
             .group_by(CARDS.c.id, CARDS.c.title))
    if day:
        query = query.where(day_of(EXECUTIONS.c.created_at) == day)
    return sorted(fetch(query), key=lambda row: (-float(row.cost), row.id))
