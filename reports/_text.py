"""Sanitising crawled text before it reaches a template or a chart label.

Crawled titles and party names are untrusted: they may carry markup, entities, control
characters or very long runs. Autoescaping protects the HTML; this module makes the text
readable and bounded, and keeps only http(s) links.
"""

from __future__ import annotations

import html
import re

import nh3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def clean_text(value: str | None, limit: int = 300) -> str:
    """Plain, single-line text: tags dropped, entities decoded, control and bidi characters
    removed, whitespace collapsed, cut to ``limit`` characters with an ellipsis."""
    if not value:
        return ""
    text = html.unescape(nh3.clean(value, tags=set()))
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_url(value: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL, else ``None`` (no javascript: links)."""
    if not value:
        return None
    value = value.strip()
    return value if _SAFE_URL.match(value) else None
