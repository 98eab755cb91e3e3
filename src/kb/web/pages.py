"""What every page handler needs: a template response, its JSON twin, posted forms, a notice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

__all__ = [
    "NO_STORE",
    "AnyRequest",
    "FormData",
    "alternate",
    "first_values",
    "page",
    "redirect_with_notice",
    "render",
    "take_notice",
]

NO_STORE = {"Cache-Control": "no-store"}
AnyRequest = Request[Any, Any, Any]
NOTICE = "notice"

# Any shape is accepted and then read as text: a repeated or odd field gets the form back with a
# message instead of a validation error from the framework.
FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def alternate(url: str, media_type: str = "application/json") -> dict[str, str]:
    """The `Link` header that names a page's twin (its JSON, its PDF), as Datasette does."""
    return {"Link": f'<{url}>; rel="alternate"; type="{media_type}"'}


def page(
    template: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Template:
    """A rendered template; `headers` adds to the response (e.g. `NO_STORE`, `alternate(…)`)."""
    return Template(template, context=context, status_code=status_code, headers=dict(headers or {}))


def render(request: Request[Any, Any, Any], template: Template) -> str:
    """A template response as text, for a PDF or an e-mail rather than the browser."""
    engine = request.app.template_engine
    assert engine is not None
    context = template.create_template_context(request)
    return str(engine.get_template(template.template_name).render(**context))


def first_values(data: Mapping[str, Any]) -> dict[str, str]:
    """One text per posted field: the first of a repeated field, nothing for anything else."""
    values = {}
    for name, value in data.items():
        first = value[0] if isinstance(value, list) and value else value
        if isinstance(first, str):
            values[name] = first
    return values


def redirect_with_notice(request: Request[Any, Any, Any], url: str, notice: str) -> Redirect:
    """After a successful POST: go to `url` (303) and show `notice` there once."""
    request.session[NOTICE] = notice
    return Redirect(url, status_code=303)


def take_notice(request: Request[Any, Any, Any]) -> str | None:
    """The notice left by `redirect_with_notice`, shown once."""
    notice = request.session.pop(NOTICE, None)
    return str(notice) if notice is not None else None
