"""Each compatibility surface answers failures in its own contract's shape, and says
so in the one OpenAPI document: an apispec plugin rewrites the surface's operations
as flask-smorest registers them (apispec's public operation_helper hook)."""
from collections.abc import Callable

from apispec import BasePlugin
from flask_smorest import Api

SUCCESS_BY_METHOD = {"post": "201", "delete": "204"}


class SurfaceErrors(BasePlugin):
    """On the paths `owns_path` accepts: failures are `default` -> the surface's error
    response (flask-smorest's 422 is the surface's 400), and a view that documents no
    success gets one, else every 2xx would be read against the error schema."""

    def __init__(self, owns_path: Callable[[str], bool], error_ref: str,
                 success_description: str, success_status: Callable[[str, str], str]):
        self.owns_path = owns_path
        self.error_ref = error_ref
        self.success_description = success_description
        self.success_status = success_status

    def operation_helper(self, path=None, operations=None, **kwargs):
        if not path or not self.owns_path(path):
            return
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if not any(str(status).startswith("2") for status in responses):
                success = self.success_status(path, method)
                responses[success] = {"description": self.success_description}
                if success != "204":
                    responses[success]["content"] = {
                        "application/json": {"schema": {"type": "object"}}}
            responses.pop(422, None)
            responses.pop("422", None)
            responses["default"] = {"$ref": self.error_ref}


def document_surface_errors(api: Api, owns_path: Callable[[str], bool], *,
                            schema_name: str, response_name: str, schema,
                            description: str, success_description: str,
                            success_status: Callable[[str, str], str] | None = None
                            ) -> None:
    """Register the surface's error schema (a dict or a marshmallow schema) and its
    response, and document every operation registered after this call with them.
    Call before registering the surface's blueprints."""
    if isinstance(schema, dict):
        api.spec.components.schema(schema_name, schema)
    else:
        api.spec.components.schema(schema_name, schema=schema)
    api.spec.components.response(response_name, {
        "description": description,
        "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema_name}"}}}})
    plugin = SurfaceErrors(owns_path, f"#/components/responses/{response_name}",
                           success_description,
                           success_status or (lambda path, method:
                                              SUCCESS_BY_METHOD.get(method, "200")))
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
