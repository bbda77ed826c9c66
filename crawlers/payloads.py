"""Reading response bodies safely: JSON, and XML feeds vetted by defusedxml first.

Every function raises ``PayloadError`` naming the location and what was wrong, so a bad body
becomes one readable line in the run record (or a ``ReplayError`` during a replay).
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from crawlers.errors import PayloadError


def check_size(body: bytes, limit: int, location: str) -> None:
    """Refuse a body over ``limit`` bytes (the same cap as ``DOWNLOAD_MAXSIZE``)."""
    if len(body) > limit:
        raise PayloadError(location, f"body is {len(body)} bytes, over the {limit}-byte cap")


def decode_json(body: bytes, location: str) -> Any:
    """The JSON document in ``body``.

    Raises:
        PayloadError: When the body is not UTF-8 JSON.
    """
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise PayloadError(
            location, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except UnicodeDecodeError as exc:
        raise PayloadError(location, f"not valid JSON: undecodable bytes ({exc.reason})") from None
    except RecursionError:
        raise PayloadError(location, "not valid JSON: nested too deeply") from None


def parse_xml(body: bytes, location: str) -> Element:
    """The root element of an XML body, refusing malformed XML and entity declarations.

    Entity declarations are refused outright (billion laughs, quadratic blowup, external
    entities); a DTD without entities is allowed, as some feeds carry one.

    Raises:
        PayloadError: Saying what was wrong.
    """
    try:
        root: Element = SafeET.fromstring(body)
    except EntitiesForbidden as exc:
        raise PayloadError(
            location, f"XML declares entity {exc.name!r}: refused (entity expansion attack?)"
        ) from None
    except DTDForbidden:
        raise PayloadError(location, "XML has a forbidden DTD") from None
    except DefusedXmlException as exc:
        raise PayloadError(location, f"unsafe XML refused: {exc}") from None
    except ParseError as exc:
        raise PayloadError(location, f"not well-formed XML: {exc}") from None
    except (LookupError, ValueError) as exc:  # expat: an unknown or unsupported encoding
        raise PayloadError(location, f"unreadable XML: {exc}") from None
    return root


def parse_feed(body: bytes, location: str) -> Any:
    """The RSS or Atom feed in ``body`` (a ``feedparser`` result), vetted by ``parse_xml``.

    Raises:
        PayloadError: When the body is unsafe, malformed, or not a feed.
    """
    parse_xml(body, location)
    parsed = feedparser.parse(body)
    if not parsed.get("version"):
        raise PayloadError(location, "well-formed XML but not an RSS or Atom feed")
    return parsed


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path in nested dicts (``None`` when any step is missing)."""
    current = data
    for step in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(step)
    return current
