"""/api/v1/health and /api/v1/openapi.json (the v1 part of Tack's OpenAPI document)."""
from importlib.metadata import PackageNotFoundError, version

from flask import Flask
from flask_smorest import Api, Blueprint

from tack.api.responses import json_response
from tack.kanban import V1_PREFIX, register_v1_blueprint
from tack.kanban import schemas as s

blp = register_v1_blueprint(Blueprint("kanban_meta", __name__, url_prefix=V1_PREFIX,
                                      description="HNR Kanban: service status"))


def service_version() -> str:
    try:
        return version("tack")
    except PackageNotFoundError:
        return "0.0.0"


@blp.route("/health", methods=["GET"])
@blp.response(200, s.HealthOut)
def health():
    """Service status and version."""
    return json_response({"status": "ok", "version": service_version()})


def add_root_routes(app: Flask, api: Api) -> None:
    def v1_openapi():
        """Tack's OpenAPI document narrowed to the /api/v1 paths."""
        spec = api.spec.to_dict()
        spec["paths"] = {path: item for path, item in spec["paths"].items()
                         if path.startswith(V1_PREFIX + "/")}
        spec["info"] = {**spec.get("info", {}), "title": "Tack: HNR Kanban API (/api/v1)"}
        return json_response(spec)

    app.add_url_rule(V1_PREFIX + "/openapi.json", "kanban_openapi", v1_openapi)
