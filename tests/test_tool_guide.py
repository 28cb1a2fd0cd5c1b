"""The agent-tool registry is the one source: TOOL.md's function definitions, /llms.txt's
tool list and the MCP tools must be what it generates, and every tool must be a call
the live OpenAPI spec accepts, with the same parameter names, places and types."""
import json
import re

import anyio
from mcp import Client

from tack.agents import docs
from tack.agents.mcp_http import AppApi
from tack.agents.mcp_server import build_server
from tack.agents.tools import TOOLS, run_tool

SPEC_TYPES = {"string": "string", "integer": "integer", "array": "array",
              "boolean": "boolean", "object": "object"}


def spec_parameters(spec: dict, method: str, path: str) -> tuple[dict, dict, set]:
    """(name -> (location, schema) of every parameter, body properties, required names)."""
    item = spec["paths"][path]
    operation = item[method]
    parameters, required = {}, set()
    for parameter in item.get("parameters", []) + operation.get("parameters", []):
        parameters[parameter["name"]] = (parameter["in"], parameter.get("schema", {}))
        if parameter.get("required"):
            required.add(parameter["name"])
    body = {}
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content:
        schema = spec["components"]["schemas"][content["schema"]["$ref"].split("/")[-1]]
        body = schema["properties"]
        required.update(schema.get("required", []))
    return parameters, body, required


def test_every_tool_is_a_call_the_live_spec_accepts(client):
    spec = client.get("/openapi.json").json
    for tool in TOOLS:
        assert tool.path in spec["paths"], f"{tool.name}: {tool.path} is not in the spec"
        assert tool.method in spec["paths"][tool.path], f"{tool.name}: {tool.method}"
        parameters, body, required = spec_parameters(spec, tool.method, tool.path)
        for name in tool.path_names:
            assert parameters[name][0] == "path", f"{tool.name}.{name}"
        for name in tool.fixed_query:
            assert parameters[name][0] == "query", f"{tool.name}.{name}"
        for name, schema in tool.properties.items():
            if name in tool.local or name in tool.path_names:
                continue
            if tool.sends_in_query(name):
                assert name in parameters and parameters[name][0] == "query", \
                    f"{tool.name}.{name} is not a query parameter of {tool.method} {tool.path}"
                spec_schema = parameters[name][1]
            else:
                assert name in body, f"{tool.name}.{name} is not in {tool.method} {tool.path}"
                spec_schema = body[name]
            if spec_schema.get("type"):
                assert SPEC_TYPES[schema["type"]] == spec_schema["type"], f"{tool.name}.{name}"
        assert required <= set(tool.required) | set(tool.path_names), \
            f"{tool.name} must require what {tool.method} {tool.path} requires"
        assert set(tool.required) <= set(tool.properties), tool.name
        for method, path in tool.also_calls:
            assert method in spec["paths"][path], f"{tool.name} also calls {method} {path}"


def test_board_is_a_declared_query_parameter_of_the_writes_not_about_one_card(client):
    """TOOL.md's "?board=" rule: create and claim-next take the board in the query
    string, and the spec says so (the registry check above holds the tools to it)."""
    spec = client.get("/openapi.json").json
    for path in ("/api/cards", "/api/cards/claim-next"):
        parameters, body, _required = spec_parameters(spec, "post", path)
        assert parameters["board"][0] == "query" and "board" not in body, path
        assert parameters["board"][1]["type"] == "string"
    board_tools = {tool.name for tool in TOOLS if tool.method == "post" and "board" in tool.query}
    assert board_tools == {"create_card", "claim_next_card"}


def test_tool_md_and_llms_txt_are_what_the_registry_generates(app):
    for path, expected in docs.generated(app).items():
        assert path.read_text(encoding="utf-8") == expected, \
            f"{path.name} drifted from the registry: run `tack tools --write-docs`"


def test_tool_md_functions_are_the_registry_tools():
    text = docs.TOOL_MD.read_text(encoding="utf-8")
    block = re.search(r"<!-- tack:tools:start.*?```json\n(.*?)```", text, re.S).group(1)
    assert json.loads(block) == docs.openai_functions()
    assert [f["function"]["name"] for f in json.loads(block)] == [t.name for t in TOOLS]


def test_surfaces_not_served_are_not_claimed(app):
    block = docs.surfaces_block(app)
    for surface in docs.SURFACES:
        row = f"| {surface.name} |"
        assert (row in block) == docs.served(app, surface), surface.name


def test_mcp_tools_are_the_registry_tools(app):
    async def listed():
        async with Client(build_server(AppApi(app, {}, None))) as client:
            return (await client.list_tools()).tools

    tools = anyio.run(listed)
    assert [(t.name, t.description, t.input_schema) for t in tools] == \
        [(t.name, t.description, t.parameters) for t in TOOLS]


def test_board_query_reaches_the_named_board(app, client):
    made = client.post("/api/v1/boards", json={"name": "other", "workflow": "tack"}).json
    board = made["id"]
    api = AppApi(app, {"X-API-Key": made["manage_key"]}, None)  # the caller's key
    created = run_tool(api, "create_card", {"title": "there", "board": board})
    claimed = run_tool(api, "claim_next_card", {"agent": "a", "board": board})
    assert claimed.data["card"]["id"] == created.data["id"]
    assert run_tool(api, "list_cards", {}).data["total"] == 0  # not on main


def test_tool_guide_is_served(client):
    response = client.get("/TOOL.md")
    assert response.status_code == 200 and b"claim_next_card" in response.data
