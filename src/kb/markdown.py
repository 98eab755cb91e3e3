"""Markdown rendering for content bodies: CommonMark plus tables, raw HTML disabled."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

__all__ = ["render_markdown"]


@cache
def _renderer() -> MarkdownIt:
    # Raw HTML stays text: content comes from many hands and must never inject markup or scripts.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        "table"
    )


def render_markdown(text: str) -> str:
    """Render `text` to safe HTML."""
    return str(_renderer().render(text))
