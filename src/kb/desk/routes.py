"""HTTP for the desk and parents' pages; `DESK_ROUTES` is what the application mounts."""

from __future__ import annotations

from litestar.handlers import BaseRouteHandler
from litestar.types import ControllerRouterHandler

__all__ = ["DESK_ROUTES"]

DESK_ROUTES: list[ControllerRouterHandler | type[BaseRouteHandler]] = []
