"""Guides for agents, served from the repository's docs/ folder: the LLM-readable
overview (/llms.txt) and one SKILL.md per API surface, listed in a skills index
(the Agent Skills discovery format: /.well-known/skills/ as first published, and
/.well-known/agent-skills/ as its 0.2 revision renamed it)."""
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort
from flask_smorest import Blueprint

from tack.api.responses import json_response

blp = Blueprint("meta_docs", __name__, description="Guides for agents")
DOCS = Path(__file__).resolve().parents[2] / "docs"
SKILLS_SCHEMA = "https://schemas.agentskills.io/discovery/0.2.0/schema.json"


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    text: str

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.text.encode()).hexdigest()


def _front_matter(text: str) -> dict:
    """The `key: value` lines between the opening `---` lines of a SKILL.md."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    fields = {}
    for line in lines[1:]:
        if line.strip() == "---":
            break
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


@functools.cache
def skills() -> dict[str, Skill]:
    """docs/skills/<name>/SKILL.md by name, read once per process."""
    found = {}
    for path in sorted(DOCS.glob("skills/*/SKILL.md")):
        text = path.read_text(encoding="utf-8")
        meta = _front_matter(text)
        name = meta.get("name") or path.parent.name
        found[name] = Skill(name, meta.get("description", ""), text)
    return found


def _text(name: str, mimetype: str) -> Response:
    return Response((DOCS / name).read_text(encoding="utf-8"), mimetype=mimetype)


@blp.route("/llms.txt", methods=["GET"])
@blp.response(200, description="The service explained for language models",
              content_type="text/plain")
def llms_txt():
    """What Tack is and how to use each of its API surfaces (llms.txt format)."""
    return _text("llms.txt", "text/plain")


@blp.route("/api/v1/llms.txt", methods=["GET"])
@blp.response(200, description="The service explained for language models",
              content_type="text/plain")
def llms_txt_v1():
    """The same guide, where HNR Kanban clients look for it."""
    return _text("llms.txt", "text/plain")


@blp.route("/.well-known/skills/index.json", methods=["GET"])
@blp.response(200, description="Skills index (discovery format 0.1)")
def skills_index():
    """One skill per API surface; each file is at /.well-known/skills/<name>/SKILL.md."""
    return json_response({"skills": [
        {"name": skill.name, "description": skill.description, "files": ["SKILL.md"]}
        for skill in skills().values()]})


@blp.route("/.well-known/agent-skills/index.json", methods=["GET"])
@blp.response(200, description="Skills index (discovery format 0.2)")
def agent_skills_index():
    """The same skills with their URLs and SHA-256 digests."""
    return json_response({"$schema": SKILLS_SCHEMA, "skills": [
        {"name": skill.name, "type": "skill-md", "description": skill.description,
         "url": f"/.well-known/agent-skills/{skill.name}/SKILL.md", "digest": skill.digest}
        for skill in skills().values()]})


@blp.route("/.well-known/skills/<name>/SKILL.md", methods=["GET"])
@blp.route("/.well-known/agent-skills/<name>/SKILL.md", methods=["GET"])
@blp.response(200, description="A skill", content_type="text/markdown")
def skill_file(name):
    """One surface's SKILL.md."""
    skill = skills().get(name)
    if skill is None:
        abort(404)
    return Response(skill.text, mimetype="text/markdown")
