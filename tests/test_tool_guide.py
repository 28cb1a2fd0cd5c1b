"""TOOL.md's function-calling tools must match the live OpenAPI spec."""
import json
import re

from tack import ROOT

# tool name -> (method, path) of the call it makes
TOOL_CALLS = {
    "create_card": ("post", "/api/cards"),
    "move_card": ("post", "/api/cards/{card_id}/move"),
    "update_card": ("patch", "/api/cards/{card_id}"),
    "list_cards": ("get", "/api/cards"),
    "claim_card": ("post", "/api/cards/{card_id}/claim"),
    "claim_next_card": ("post", "/api/cards/claim-next"),
    "release_card": ("post", "/api/cards/{card_id}/release"),
    "add_note": ("post", "/api/cards/{card_id}/notes"),
    "request_decision": ("post", "/api/cards/{card_id}/decision"),
    "request_approval": ("post", "/api/cards/{card_id}/approval"),
}
SPEC_TYPES = {"string": "string", "integer": "integer", "array": "array",
              "boolean": "boolean", "object": "object"}


def tools() -> list[dict]:
    text = (ROOT / "TOOL.md").read_text()
    block = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    return [tool["function"] for tool in json.loads(block)]


def accepted_parameters(spec: dict, method: str, path: str) -> tuple[dict, set]:
    """name -> schema of everything the call accepts, and the required names."""
    item = spec["paths"][path]
    operation = item[method]
    accepted, required = {}, set()
    for parameter in item.get("parameters", []) + operation.get("parameters", []):
        accepted[parameter["name"]] = parameter.get("schema", {})
        if parameter.get("required"):
            required.add(parameter["name"])
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        schema = spec["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]]
        accepted.update(schema["properties"])
        required.update(schema.get("required", []))
    return accepted, required


def test_every_tool_parameter_exists_in_the_live_spec(client):
    spec = client.get("/openapi.json").json
    defined = tools()
    assert {tool["name"] for tool in defined} == set(TOOL_CALLS)
    for tool in defined:
        method, path = TOOL_CALLS[tool["name"]]
        accepted, required = accepted_parameters(spec, method, path)
        properties = tool["parameters"]["properties"]
        for name, schema in properties.items():
            assert name in accepted, f"{tool['name']}.{name} is not in {method} {path}"
            spec_type = accepted[name].get("type")
            if spec_type:
                assert SPEC_TYPES[schema["type"]] == spec_type, f"{tool['name']}.{name}"
        assert required <= set(tool["parameters"]["required"]), tool["name"]
        assert set(tool["parameters"]["required"]) <= set(properties), tool["name"]


def test_tool_guide_is_served(client):
    response = client.get("/TOOL.md")
    assert response.status_code == 200 and b"claim_next_card" in response.data
