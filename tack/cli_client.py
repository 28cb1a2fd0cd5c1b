"""The client half of the `tack` command, for agents that live in a shell and for MCP
hosts: `tack card ...`, `tack watch`, `tack mcp`, `tack tools`. Each talks to a Tack
server by URL and key (flags or TACK_URL / TACK_API_KEY) through the agent-tool
registry, so the CLI, the MCP tools and TOOL.md make the same calls."""
import json
import sys
import time

import click

from tack.agents.calls import Answer, ApiError, BoardUnreachable, HttpApi
from tack.agents.tools import TOOLS_BY_NAME, check_arguments

DEFAULT_URL = "http://127.0.0.1:8795"
# watch polls this often when the last poll found nothing new.
WATCH_INTERVAL_SECONDS = 1.0


def server_options(command):
    command = click.option("--key", envvar="TACK_API_KEY", default=None, show_envvar=True,
                           help="API key (needed for writes when the server has one)")(command)
    return click.option("--url", envvar="TACK_URL", default=DEFAULT_URL, show_default=True,
                        show_envvar=True, help="The Tack server")(command)


def json_option(command):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print the API's JSON answer instead of a summary")(command)


def agent_option(name="--agent", help_text="Your agent name"):
    return click.option(name, "agent", envvar="TACK_AGENT", default="", show_envvar=True,
                        help=help_text)


def fail(message: str) -> None:
    raise click.ClickException(message)


def run(url: str, key: str | None, tool_name: str, arguments: dict, as_json: bool) -> Answer:
    """Call one registry tool and print its summary (or the API's JSON)."""
    tool = TOOLS_BY_NAME[tool_name]
    arguments = {name: value for name, value in arguments.items()
                 if value is not None and value != "" and value != ()}
    problem = check_arguments(tool, arguments)
    if problem:
        fail(problem)
    path, query, body = tool.request_parts(arguments)
    answer = request(HttpApi(url, key), tool.method, path, query=query, body=body)
    if as_json:
        click.echo(json.dumps(answer.data, indent=2, ensure_ascii=False))
    else:
        click.echo(tool.summarize(answer, arguments).text)
    return answer


def request(api: HttpApi, method: str, path: str, **parts) -> Answer:
    """The call, with a refusal or an unreachable server as a clear message and exit 1."""
    try:
        return api.request(method, path, **parts)
    except ApiError as refused:
        hint = " (check --key / TACK_API_KEY)" if refused.status == 401 else ""
        fail(f"the board refused: {refused}{hint}")
    except BoardUnreachable as failure:
        fail(f"{failure} (check --url / TACK_URL)")


@click.group()
def card():
    """Work cards on a Tack server: create, list, show, claim-next, note, move, complete."""


@card.command("create")
@click.argument("title")
@click.option("--description", default="", help="Markdown details")
@click.option("--column", "column_name", default="", help="Column (default inbox)")
@click.option("--assignee", default="")
@click.option("--priority", type=click.Choice(["low", "normal", "high", "critical"]))
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more)")
@click.option("--board", default="", help="Board id (default main)")
@agent_option("--by", "Your agent name (created_by)")
@server_options
@json_option
def card_create(title, description, column_name, assignee, priority, tags, board, agent,
                url, key, as_json):
    """Create a card."""
    run(url, key, "create_card", dict(title=title, description=description,
                                      column_name=column_name, assignee=assignee,
                                      priority=priority, tags=list(tags), board=board,
                                      created_by=agent), as_json)


@card.command("list")
@click.option("--board", default="")
@click.option("--column", default="")
@click.option("--assignee", default="")
@click.option("--tag", default="")
@click.option("--priority", type=click.Choice(["low", "normal", "high", "critical"]))
@click.option("--q", default="", help="Text in title or description")
@server_options
@json_option
def card_list(board, column, assignee, tag, priority, q, url, key, as_json):
    """List cards."""
    run(url, key, "list_cards", dict(board=board, column=column, assignee=assignee, tag=tag,
                                     priority=priority, q=q), as_json)


@card.command("show")
@click.argument("card_id")
@server_options
@json_option
def card_show(card_id, url, key, as_json):
    """Show one card."""
    run(url, key, "get_card", {"card_id": card_id}, as_json)


@card.command("claim-next")
@agent_option()
@click.option("--ttl", "ttl_seconds", type=int, help="Claim lifetime in seconds")
@click.option("--board", default="")
@click.option("--column", default="")
@click.option("--tag", default="")
@click.option("--assignee", default="")
@server_options
@json_option
def card_claim_next(agent, ttl_seconds, board, column, tag, assignee, url, key, as_json):
    """Claim the most important free card (prints `null` with --json when none is free)."""
    if not agent:
        fail("say who you are: --agent NAME or TACK_AGENT")
    run(url, key, "claim_next_card", dict(agent=agent, ttl_seconds=ttl_seconds, board=board,
                                          column=column, tag=tag, assignee=assignee), as_json)


@card.command("note")
@click.argument("card_id")
@click.argument("content")
@agent_option("--author", "Your agent name")
@server_options
@json_option
def card_note(card_id, content, agent, url, key, as_json):
    """Add a note to a card's trace log."""
    run(url, key, "add_note", dict(card_id=card_id, content=content, author=agent), as_json)


@card.command("move")
@click.argument("card_id")
@click.argument("column_name")
@click.option("--position", type=int, help="0-based place in the column")
@agent_option("--actor", "Your agent name")
@server_options
@json_option
def card_move(card_id, column_name, position, agent, url, key, as_json):
    """Move a card to a column."""
    run(url, key, "move_card", dict(card_id=card_id, column_name=column_name,
                                    position=position, actor=agent), as_json)


@card.command("complete")
@click.argument("card_id")
@click.option("--note", default="", help="What was done")
@click.option("--followup-title", default="", help="Queue a follow-up card with this title")
@click.option("--followup-description", default="")
@agent_option("--actor", "Your agent name")
@server_options
@json_option
def card_complete(card_id, note, followup_title, followup_description, agent, url, key,
                  as_json):
    """Finish a card (moves it to done and ends your claim)."""
    run(url, key, "complete_card", dict(
        card_id=card_id, note=note, actor=agent, followup=bool(followup_title) or None,
        followup_title=followup_title, followup_description=followup_description), as_json)


@click.command()
@click.option("--after", type=int, help="Start after this cursor (default: from now)")
@click.option("--board", default="")
@click.option("--count", type=int, help="Stop after this many changes")
@click.option("--seconds", type=float, help="Stop after this long")
@server_options
@json_option
def watch(after, board, count, seconds, url, key, as_json):
    """Follow the board's changes (GET /api/changes?after=), one line each; with --json,
    one JSON object per line. Runs until --count or --seconds (or Ctrl-C)."""
    api = HttpApi(url, key)
    if after is None:
        after = request(api, "get", "/api/changes", query={"board": board, "limit": 1}) \
            .data["cursor"]
    deadline = None if seconds is None else time.monotonic() + seconds
    seen = 0
    while True:
        page = request(api, "get", "/api/changes",
                       query={"board": board, "after": after, "limit": 100}).data
        for change in page["changes"]:
            if as_json:
                click.echo(json.dumps(change, ensure_ascii=False))
            else:
                title = (change.get("card") or {}).get("title", "")
                click.echo(f"{change['seq']} {change['action']} {change['card_id']} "
                           f"\"{title}\" by {change['actor'] or '-'}"
                           + (f": {change['details']}" if change["details"] else ""))
            seen += 1
            if count is not None and seen >= count:
                return
        after = page["cursor"]
        sys.stdout.flush()
        if deadline is not None and time.monotonic() >= deadline:
            return
        if not page["changes"]:
            time.sleep(WATCH_INTERVAL_SECONDS)


@click.command("mcp")
@server_options
def mcp_command(url, key):
    """Serve the agent tools over MCP on stdin/stdout (for Claude Code, Codex, IDEs),
    calling the Tack server at --url."""
    from importlib.metadata import version

    from tack.agents.mcp_server import serve_stdio
    serve_stdio(HttpApi(url, key), version("tack"))


@click.command("tools")
@click.option("--write-docs", is_flag=True,
              help="Rewrite the generated parts of TOOL.md and docs/llms.txt")
def tools_command(write_docs):
    """Print the agent tools as OpenAI function definitions (JSON)."""
    from tack.agents.docs import openai_functions
    if not write_docs:
        click.echo(json.dumps(openai_functions(), indent=2))
        return
    from tack import create_app
    from tack.agents.docs import write_docs as write
    from tack.config import Config
    import tempfile
    # Only the app's routes are read (which surfaces it serves): a throwaway database.
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/board.db"
        app = create_app(Config(database_url="sqlite:///" + path, db_path=path,
                                secret_key="docs", scheduler_enabled=False))
        changed = write(app)
    click.echo("rewrote " + ", ".join(str(p) for p in changed) if changed
               else "TOOL.md and docs/llms.txt are up to date")


def register(main: click.Group) -> None:
    for command in (card, watch, mcp_command, tools_command):
        main.add_command(command)
