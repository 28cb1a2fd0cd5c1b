"""The registry's tools as an MCP server (the official SDK's low-level `Server`: the
registry already holds each tool's JSON schema, so there is nothing for `MCPServer`'s
type-hint introspection to add). `tack mcp` serves it over stdio; /mcp over HTTP."""
import anyio
import mcp_types as types
from mcp.server import Server

from tack.agents.calls import Api
from tack.agents.tools import TOOLS, run_tool

INSTRUCTIONS = (
    "Tack is a Kanban board shared by agents and humans. Loop: claim_next_card with your "
    "agent name, move_card to in_progress, add_note as you work, complete_card when done. "
    "Unsure? request_decision or request_approval, then wait_for_decision.")


def tool_list() -> list[types.Tool]:
    return [types.Tool(name=tool.name, description=tool.description,
                       input_schema=tool.parameters,
                       annotations=types.ToolAnnotations(read_only_hint=tool.method == "get"))
            for tool in TOOLS]


def build_server(api: Api, version: str = "") -> Server:
    """An MCP server whose tools make their calls through `api`."""

    async def list_tools(_ctx, _params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tool_list())

    async def call_tool(_ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        # In a worker thread: the calls block (and wait_for_decision sleeps between polls).
        outcome = await anyio.to_thread.run_sync(run_tool, api, params.name, params.arguments)
        data = outcome.data if isinstance(outcome.data, dict) or outcome.data is None \
            else {"result": outcome.data}
        return types.CallToolResult(content=[types.TextContent(type="text", text=outcome.text)],
                                    structured_content=data, is_error=outcome.is_error)

    return Server("tack", version=version, instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool)


def serve_stdio(api: Api, version: str = "") -> None:
    """Serve over this process's stdin/stdout until the client closes them."""
    from mcp.server.stdio import stdio_server

    server = build_server(api, version)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(run)

