"""Health and the agents' tool guide."""
from pathlib import Path

from flask import Response
from flask_smorest import Blueprint

from tack.api import schemas as s
from tack.api.responses import json_response
from tack.clock import isoformat, now

blp = Blueprint("meta", __name__, description="Service status and documentation")
TOOL_GUIDE = Path(__file__).resolve().parents[2] / "TOOL.md"


@blp.route("/health", methods=["GET"])
@blp.response(200, s.HealthSchema)
def health():
    """Liveness: answers while the process serves requests."""
    from tack.kanban.meta import service_version
    return json_response({"status": "ok", "service": "tack", "timestamp": isoformat(now()),
                          "version": service_version()})


@blp.route("/TOOL.md", methods=["GET"])
@blp.response(200, description="Markdown guide for agents",
              content_type="text/markdown")
def tool_guide():
    """How agents should use the board, with function-calling tool definitions."""
    return Response(TOOL_GUIDE.read_text(encoding="utf-8"), mimetype="text/markdown")
