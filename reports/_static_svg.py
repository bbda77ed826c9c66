"""Trimming pygal's SVG to what a static chart draws.

Report charts are ``<img>`` data URIs: no script runs, nothing is hovered, no tooltip shows.
pygal still writes, for interactive use, a configuration ``<script>``, a ``<desc>`` per value
for its tooltips, signed and dated comments, and a stylesheet of about a hundred rules for
hovering, tooltips, maps and gauges. WeasyPrint parses, compiles and matches all of it for
every chart of every PDF. Dropping what cannot show leaves the drawing exactly as it was.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

_UNSEEN = frozenset({"desc", "script"})
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_NOT = re.compile(r":not\([^)]*\)")
_NEVER = (":hover", ":active", ":focus", ":visited")


def make_static(root: Any) -> Any:
    """A pygal xml filter: the chart without comments, scripts, tooltip descriptions and the
    style rules that cannot apply to it (returned, as pygal's filters are)."""
    for element in list(root.iter()):
        if element.tag is etree.Comment or etree.QName(element).localname in _UNSEEN:
            element.getparent().remove(element)
    classes = {name for element in root.iter() for name in element.get("class", "").split()}
    for style in root.iter("{*}style", "style"):
        style.text = _used_rules(style.text or "", classes)
    return root


def _used_rules(css: str, classes: set[str]) -> str:
    """The rules of ``css`` (flat, as pygal writes it) that may match an element; the text
    unchanged when it is not a flat list of rules."""
    rules = _RULE.findall(css)
    if _RULE.sub("", css).strip():
        return css
    kept = [
        f"{selectors}{{{body}}}"
        for selectors, body in rules
        if any(_may_match(s, classes) for s in selectors.split(","))
    ]
    return "".join(kept)


def _may_match(selector: str, classes: set[str]) -> bool:
    """False when the selector needs a class no element has, or a user action."""
    if any(state in selector for state in _NEVER):
        return False
    return all(name in classes for name in _CLASS.findall(_NOT.sub("", selector)))
