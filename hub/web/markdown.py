"""Directive bodies are Markdown written by officers; pages show them as sanitised HTML.

markdown-it-py renders (raw HTML in the source is escaped, not passed through), then nh3 keeps only a short list of
harmless tags and attributes, whatever the renderer produced. Links open safely (rel="noopener noreferrer").
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(source: str | None) -> Markup:
    """Markdown to HTML that is safe to put in a page."""
    html = _md.render(source or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return Markup(clean)  # nosec B704 # nh3's output: only the allowed tags, attributes and URL schemes remain
