"""The guides for agents: /llms.txt, the skills index and each SKILL.md, served
from the repository's docs/ and true to the routes the app has."""
import hashlib
import re

import pytest

SURFACES = {"tack-api", "hnr-kanban-api"}


def test_llms_txt_is_served_at_both_paths(client):
    root, v1 = client.get("/llms.txt"), client.get("/api/v1/llms.txt")
    assert root.status_code == v1.status_code == 200
    assert root.mimetype == "text/plain" and root.data == v1.data
    text = root.get_data(as_text=True)
    assert text.startswith("# Tack\n\n> ")  # llms.txt: a title, then a summary quote
    assert "/api/v1/" in text and "/api/cards/claim-next" in text


def test_skills_index_lists_each_surface_with_its_file(client):
    index = client.get("/.well-known/skills/index.json")
    assert index.status_code == 200 and index.mimetype == "application/json"
    skills = index.json["skills"]
    assert {skill["name"] for skill in skills} == SURFACES
    for skill in skills:
        assert skill["files"] == ["SKILL.md"] and len(skill["description"]) > 40
        page = client.get(f"/.well-known/skills/{skill['name']}/SKILL.md")
        assert page.status_code == 200 and page.mimetype == "text/markdown"
        text = page.get_data(as_text=True)
        assert text.startswith(f"---\nname: {skill['name']}\ndescription: ")


def test_agent_skills_index_carries_urls_and_digests(client):
    index = client.get("/.well-known/agent-skills/index.json").json
    assert index["$schema"].endswith("/discovery/0.2.0/schema.json")
    for skill in index["skills"]:
        assert skill["type"] == "skill-md"
        body = client.get(skill["url"]).data
        assert skill["digest"] == "sha256:" + hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("path", [
    "/.well-known/skills/nope/SKILL.md", "/.well-known/skills/../llms.txt/SKILL.md",
    "/.well-known/skills/tack-api/other.md",
])
def test_unknown_skills_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_every_tack_call_the_docs_name_exists(app, client):
    """Each `GET|POST|... /api/...` (not /api/v1, served by its own surface) in the
    guides is a route of this app."""
    routes = [re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule) for rule in app.url_map.iter_rules()]
    texts = [client.get("/llms.txt").get_data(as_text=True)] + [
        client.get(f"/.well-known/skills/{name}/SKILL.md").get_data(as_text=True)
        for name in SURFACES]
    named = set()
    for text in texts:
        named.update(re.findall(r"`(?:GET|POST|PATCH|DELETE)(?:/\w+)* (/api/(?!v1)[^`?\s]*)",
                                text))
    assert len(named) > 15
    for path in named:
        pattern = re.sub(r"\\\{\w+\\\}", "{}", re.escape(path))
        assert any(re.fullmatch(pattern, route) for route in routes), path
