"""Turning published HTML into clean, readable plain text.

``nh3`` (ammonia) does the sanitising: scripts, styles and comments go with their content,
attributes go, and only structural tags stay. A small ``HTMLParser`` then writes the text,
with a line break at each block boundary so paragraphs stay apart.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "blockquote", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "dl", "section", "article", "hr",
    }
)  # fmt: skip
_KEPT_TAGS = _BLOCK_TAGS | {"td", "th", "tbody", "thead", "a", "span", "b", "i", "em", "strong"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag)

    def handle_endtag(self, tag: str) -> None:
        self._boundary(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def _boundary(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, without scripts or styles, paragraphs kept apart."""
    if not html:
        return ""
    safe = nh3.clean(html, tags=set(_KEPT_TAGS), attributes={}, strip_comments=True, link_rel=None)
    writer = _TextWriter()
    writer.feed(safe)
    writer.close()
    return normalize_text("".join(writer.parts))


def normalize_text(text: str) -> str:
    """Collapse runs of spaces, trim each line, and keep at most one blank line in a row."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def single_line(text: str) -> str:
    """Text on one line with single spaces (titles, names)."""
    return " ".join(text.split())


def plain_title(markup: str) -> str:
    """A title or name as an API or page publishes it (``<i>In re</i> Smith &amp; Co``), as
    one line of plain text: tags gone, scripts gone with their content, entities decoded."""
    return single_line(html_to_text(markup))
