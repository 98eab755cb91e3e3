"""The API documentation page at `/schema`, rendered on the server.

Litestar's documentation UIs (Scalar, Swagger, ReDoc …) load their scripts from a CDN and run inline
scripts, which the Content-Security-Policy forbids. This page lists every operation of the OpenAPI
document as plain HTML instead; the document itself stays at `/schema/openapi.json`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

__all__ = ["PlainDocsRenderPlugin"]

_METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["Overig"])[0],
                    "summary": operation.get("summary") or "",
                    "description": operation.get("description") or "",
                    "parameters": operation.get("parameters") or [],
                    "statuses": sorted(operation.get("responses", {})),
                }
            )
    return operations


class PlainDocsRenderPlugin(OpenAPIRenderPlugin):
    """Serves the page at the OpenAPI root (`/schema`)."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        engine = request.app.template_engine
        assert engine is not None
        template = engine.get_template("api_docs.html")
        page: str = template.render(
            request=request,
            info=openapi_schema.get("info", {}),
            operations=_operations(openapi_schema),
            json_url=self.get_openapi_json_route(request),
        )
        return page.encode("utf-8")
