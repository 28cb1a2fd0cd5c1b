"""The one registry of agent tools. Each tool is a name, a description, JSON-schema
parameters and the Tack API call behind it; the MCP server (stdio and /mcp), TOOL.md's
function definitions and /llms.txt's tool list are all generated from this list, and
tests hold every tool to the OpenAPI spec."""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tack.agents import results as r
from tack.agents.calls import Answer, Api, ApiError, BoardUnreachable

log = logging.getLogger(__name__)
PRIORITIES = ["low", "normal", "high", "critical"]
# wait_for_decision holds a request (and on /mcp a server thread) at most this long;
# an agent that needs longer calls it again.
WAIT_LIMIT_SECONDS = 120
WAIT_DEFAULT_SECONDS = 30
POLL_INTERVAL_SECONDS = 1.0


def string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def integer(description: str, **extra) -> dict:
    return {"type": "integer", "description": description, **extra}


CARD_ID = string("The card's id, e.g. card-1a2b3c4d")
BOARD = string("Board id (default: main)")
AGENT = string("Your agent name")
ACTOR = string("Your agent name, recorded on the card's history")
COLUMN = string("Column key: inbox, approved, in_progress, awaiting_decision, "
                "awaiting_approval, deferred, done, blocked (or a board's own column key)")
PRIORITY = string("Priority", enum=PRIORITIES)
TTL = integer("Claim lifetime in seconds, 1 to 86400 (default 300)", minimum=1, maximum=86400)
TAGS = {"type": "array", "items": {"type": "string"}, "description": "Tags"}
TODO_ID = string("The todo's id (from list_todos or add_todo)")
ITERATION = integer("The pass of the work the item belongs to (default 1); the list is "
                    "ordered by iteration first", minimum=0, maximum=1_000_000)


@dataclass(frozen=True)
class AgentTool:
    """One tool and the Tack API call it makes.

    Arguments named in the path template fill it; those in `query` go in the query
    string; the rest go in the JSON body (or the query string for GET and DELETE).
    `fixed_query` is sent on every call. `local` arguments are the tool's own and are
    never sent. A tool with `run` makes more than one call (`also_calls` lists the
    others, so the spec check covers them)."""

    name: str
    description: str
    method: str
    path: str
    properties: dict
    summarize: Callable[[Answer, dict], r.Outcome] | None
    required: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    fixed_query: dict = field(default_factory=dict)
    local: tuple[str, ...] = ()
    also_calls: tuple[tuple[str, str], ...] = ()
    run: Callable[[Api, dict], r.Outcome] | None = None

    @property
    def parameters(self) -> dict:
        """The JSON schema of the arguments (OpenAI `parameters`, MCP `inputSchema`)."""
        return {"type": "object", "properties": self.properties,
                "required": list(self.required), "additionalProperties": False}

    @property
    def path_names(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]

    def sends_in_query(self, name: str) -> bool:
        return name in self.query or self.method in ("get", "delete")

    def request_parts(self, arguments: dict) -> tuple[str, dict, dict | None]:
        """(path, query, body) for the call, from validated arguments."""
        path = self.path
        for name in self.path_names:
            path = path.replace("{" + name + "}", _path_segment(arguments[name]))
        query, body = dict(self.fixed_query), {}
        for name, value in arguments.items():
            if name in self.path_names or name in self.local:
                continue
            (query if self.sends_in_query(name) else body)[name] = value
        sends_body = self.method in ("post", "patch", "put")
        return path, query, body if sends_body else None


def card_tool(name: str, description: str, method: str, path: str, properties: dict,
              summarize: Callable[[Answer, dict], r.Outcome] | None, *,
              required: tuple[str, ...] = (), **options) -> AgentTool:
    """A tool on one card: its path goes on from /api/cards/{card_id}, and `card_id`
    is its first argument, always required."""
    return AgentTool(name, description, method, "/api/cards/{card_id}" + path,
                     {"card_id": CARD_ID, **properties}, summarize,
                     required=("card_id", *required), **options)


def _path_segment(value: str) -> str:
    from urllib.parse import quote
    return quote(str(value), safe="")


def call(tool: AgentTool, api: Api, arguments: dict) -> r.Outcome:
    """Run the tool: refused calls and unreachable boards come back as error outcomes."""
    if tool.run:
        return tool.run(api, arguments)
    path, query, body = tool.request_parts(arguments)
    return tool.summarize(api.request(tool.method, path, query=query, body=body), arguments)


# -- wait_for_decision: several calls, bounded -------------------------------------

ANSWER_EVENTS = {"decided", "approval_approved", "approval_denied"}


def wait_for_answer(api: Api, arguments: dict, sleep: Callable[[float], None] = time.sleep,
                    monotonic: Callable[[], float] = time.monotonic) -> r.Outcome:
    """Return as soon as a person answered the card's decision or approval, or after
    `timeout_seconds` with the cursor to wait from next time. Follows the change
    cursor (GET /api/changes?after=) rather than re-reading the card."""
    card_id = arguments["card_id"]
    board = {"board": arguments.get("board")}
    timeout = min(arguments.get("timeout_seconds", WAIT_DEFAULT_SECONDS), WAIT_LIMIT_SECONDS)
    cursor = arguments.get("after")
    if cursor is None:
        cursor = api.request("get", "/api/changes", query={**board, "limit": 1}).data["cursor"]
    card = api.request("get", f"/api/cards/{_path_segment(card_id)}").data
    deadline = monotonic() + timeout
    while not r.answered(card):
        if monotonic() >= deadline:
            return r.still_waiting(card, cursor)
        sleep(POLL_INTERVAL_SECONDS)
        page = api.request("get", "/api/changes",
                           query={**board, "after": cursor, "limit": 100}).data
        cursor = page["cursor"]
        for change in page["changes"]:
            if change["card_id"] == card_id and change["action"] in ANSWER_EVENTS:
                card = api.request("get", f"/api/cards/{_path_segment(card_id)}").data
    return r.answer(card, cursor)


TOOLS: list[AgentTool] = [
    AgentTool(
        "list_boards", "List the boards on this server (GET /api/v1/boards).",
        "get", "/api/v1/boards", {}, r.boards),
    AgentTool(
        "read_board", "The whole board: every column with its cards (GET /api/board).",
        "get", "/api/board", {"board": BOARD}, r.board,
        fixed_query={"fields": r.BOARD_FIELDS}),
    AgentTool(
        "list_cards", "List cards, optionally filtered (GET /api/cards).",
        "get", "/api/cards",
        {"board": BOARD, "column": COLUMN, "assignee": string("Only cards assigned to this name"),
         "q": string("Text to find in title or description"), "tag": string("Only this tag"),
         "priority": PRIORITY},
        r.card_list),
    AgentTool(
        "search_cards", "Ranked full-text search over titles, tags and descriptions; "
        "every word must appear (GET /api/search).",
        "get", "/api/search",
        {"q": string("Words to find"), "board": BOARD, "column": COLUMN,
         "assignee": string("Only cards assigned to this name"), "tag": string("Only this tag"),
         "priority": PRIORITY, "claimed_by": string("Only cards this agent holds"),
         "limit": integer("At most this many (1-1000, default 50)", minimum=1, maximum=1000)},
        r.search, required=("q",)),
    card_tool(
        "get_card", "One card with its description, claim, decision and approval "
        "(GET /api/cards/{card_id}).",
        "get", "", {}, r.card_details),
    AgentTool(
        "create_card", "Create a card on the Tack board (POST /api/cards). Returns its id.",
        "post", "/api/cards",
        {"board": BOARD, "title": string("Short summary, at most 500 characters"),
         "description": string("Markdown details"), "column_name": COLUMN,
         "assignee": string("Who should do it"), "priority": PRIORITY, "tags": TAGS,
         "created_by": AGENT},
        r.created, required=("title",), query=("board",)),
    card_tool(
        "update_card", "Change a card's fields (PATCH /api/cards/{card_id}).",
        "patch", "",
        {"title": string("New title"), "description": string("Markdown"),
         "assignee": string("Who should do it"), "priority": PRIORITY, "tags": TAGS,
         "actor": ACTOR},
        r.updated),
    AgentTool(
        "claim_next_card", "Claim the most important free card that nothing blocks "
        "(POST /api/cards/claim-next). Nothing free: says so.",
        "post", "/api/cards/claim-next",
        {"board": BOARD, "agent": AGENT, "ttl_seconds": TTL, "column": COLUMN,
         "assignee": string("Only cards assigned to this name"), "tag": string("Only this tag")},
        r.claimed_next, required=("agent",), query=("board",)),
    card_tool(
        "claim_card", "Claim a card so no other agent works on it "
        "(POST /api/cards/{card_id}/claim). Claim again to renew.",
        "post", "/claim",
        {"agent": AGENT, "ttl_seconds": TTL}, r.claimed, required=("agent",)),
    card_tool(
        "release_card", "Give up your claim on a card "
        "(POST /api/cards/{card_id}/release?agent=...).",
        "post", "/release",
        {"agent": AGENT}, r.released, query=("agent",)),
    card_tool(
        "add_note", "Append to a card's trace log (POST /api/cards/{card_id}/notes).",
        "post", "/notes",
        {"author": AGENT, "content": string("What you did, found or tried")}, r.noted,
        required=("content",)),
    card_tool(
        "move_card", "Move a card to another column (POST /api/cards/{card_id}/move).",
        "post", "/move",
        {"column_name": COLUMN,
         "position": integer("Position in the column, kept as given (a card already there "
                             "moves down one); omit for the end", minimum=0, maximum=1_000_000),
         "actor": ACTOR},
        r.moved, required=("column_name",)),
    card_tool(
        "complete_card", "Finish a card: it moves to done, your claim ends, and with "
        "followup=true a follow-up card is queued in inbox "
        "(POST /api/cards/{card_id}/complete).",
        "post", "/complete",
        {"note": string("What was done (added to the trace)"), "actor": ACTOR,
         "followup": {"type": "boolean", "description": "Queue a follow-up card"},
         "followup_title": string("Title of the follow-up card"),
         "followup_description": string("Its description")},
        r.completed),
    card_tool(
        "request_decision", "Ask a human to choose between options "
        "(POST /api/cards/{card_id}/decision). The card waits in awaiting_decision; "
        "then call wait_for_decision.",
        "post", "/decision",
        {"question": string("The question"),
         "options": {"type": "array", "description": "The choices (at most 20)", "items": {
             "type": "object", "properties": {
                 "key": {"type": "string"}, "label": {"type": "string"},
                 "description": {"type": "string"}},
             "required": ["key"]}},
         "context": string("What the human needs to know"),
         "deadline": string("When you need the answer (ISO-8601)"), "actor": ACTOR},
        r.decision_requested, required=("question", "options")),
    card_tool(
        "request_approval", "Ask a human to approve a plan "
        "(POST /api/cards/{card_id}/approval). The card waits in awaiting_approval; "
        "then call wait_for_decision.",
        "post", "/approval",
        {"plan": string("The plan to approve"), "context": string("What the human needs to know"),
         "actor": ACTOR},
        r.approval_requested, required=("plan",)),
    AgentTool(
        "wait_for_decision", "Wait until a human answers the card's decision or approval, "
        f"following the change cursor (GET /api/changes?after=). Returns at the answer or "
        f"after timeout_seconds (default {WAIT_DEFAULT_SECONDS}, at most "
        f"{WAIT_LIMIT_SECONDS}) with the cursor to pass as `after` next time.",
        "get", "/api/changes",
        {"card_id": CARD_ID, "board": string("The card's board (default: main)"),
         "after": integer("Change cursor from an earlier wait (default: now)", minimum=0),
         "timeout_seconds": integer(f"Longest wait, 1 to {WAIT_LIMIT_SECONDS}", minimum=1,
                                    maximum=WAIT_LIMIT_SECONDS)},
        None, required=("card_id",), local=("card_id", "timeout_seconds"),
        also_calls=(("get", "/api/cards/{card_id}"),), run=wait_for_answer),
    card_tool(
        "add_dependency", "Record that a card waits for another: claim-next will not hand "
        "it out until the blocker is done (POST /api/cards/{card_id}/dependencies).",
        "post", "/dependencies",
        {"blocker_id": string("The card that must be done first"), "note": string("Why"),
         "actor": ACTOR},
        r.dependency_added, required=("blocker_id",)),
    card_tool(
        "list_dependencies", "What blocks a card and what it blocks "
        "(GET /api/cards/{card_id}/dependencies).",
        "get", "/dependencies", {}, r.dependencies),
    card_tool(
        "remove_dependency", "The card no longer waits for the blocker "
        "(DELETE /api/cards/{card_id}/dependencies/{blocker_id}).",
        "delete", "/dependencies/{blocker_id}",
        {"blocker_id": string("The blocker to drop"), "actor": ACTOR},
        r.dependency_removed, required=("blocker_id",)),
    card_tool(
        "list_todos", "A card's todo checklist: each item ticked or not, by iteration "
        "(GET /api/cards/{card_id}/todos).",
        "get", "/todos", {}, r.todo_list),
    card_tool(
        "add_todo", "Add an item to a card's todo checklist, at the end "
        "(POST /api/cards/{card_id}/todos). Returns its id.",
        "post", "/todos",
        {"text": string("The item, at most 2000 characters"), "iteration": ITERATION,
         "done": {"type": "boolean", "description": "Already done"}, "actor": ACTOR},
        r.todo_added, required=("text",)),
    card_tool(
        "update_todo", "Tick a todo off (done=true) or untick it, reword it, or move it to "
        "another iteration (PATCH /api/cards/{card_id}/todos/{todo_id}).",
        "patch", "/todos/{todo_id}",
        {"todo_id": TODO_ID,
         "done": {"type": "boolean", "description": "true: done; false: not done"},
         "text": string("New wording"), "iteration": ITERATION, "actor": ACTOR},
        r.todo_updated, required=("todo_id",)),
    card_tool(
        "reorder_todos", "Put these todos first, in this order; the others follow as they "
        "were (POST /api/cards/{card_id}/todos/reorder).",
        "post", "/todos/reorder",
        {"ordered_ids": {"type": "array", "items": {"type": "string"},
                         "description": "Todo ids, in the order wanted"}, "actor": ACTOR},
        r.todo_list, required=("ordered_ids",)),
    card_tool(
        "remove_todo", "Delete an item from a card's todo checklist "
        "(DELETE /api/cards/{card_id}/todos/{todo_id}).",
        "delete", "/todos/{todo_id}",
        {"todo_id": TODO_ID, "actor": ACTOR},
        r.todo_removed, required=("todo_id",)),
]
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


def check_arguments(tool: AgentTool, arguments: dict) -> str | None:
    """What is wrong with the arguments for `tool`, or None."""
    import jsonschema
    try:
        jsonschema.validate(arguments, tool.parameters)
    except jsonschema.ValidationError as invalid:
        where = ".".join(str(part) for part in invalid.absolute_path)
        return f"Invalid arguments for {tool.name}: {(where + ': ') if where else ''}" \
               f"{invalid.message}"
    return None


def run_tool(api: Api, name: str, arguments: dict | None) -> r.Outcome:
    """Check the arguments against the tool's schema, make the call, and describe the
    result; every failure is an error outcome with the board's own message."""
    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        return r.Outcome(f"Unknown tool '{name}'. Tools: {', '.join(TOOLS_BY_NAME)}",
                         None, is_error=True)
    arguments = dict(arguments or {})
    problem = check_arguments(tool, arguments)
    if problem:
        return r.Outcome(problem, None, is_error=True)
    try:
        return call(tool, api, arguments)
    except ApiError as refused:
        return r.refused(refused)
    except BoardUnreachable as failure:
        return r.Outcome(str(failure), None, is_error=True)
    except Exception:
        # An answer this code did not expect: logged here, never a trace to the agent.
        log.exception("tool %s failed", name)
        return r.Outcome(f"{name} failed unexpectedly; the server log has details.", None,
                         is_error=True)
