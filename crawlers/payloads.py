"""Reading response bodies safely: JSON, XML feeds vetted by defusedxml first, and HTML in
the encoding a browser would read it in.

Every function raises ``PayloadError`` naming the location and what was wrong, so a bad body
becomes one readable line in the run record (or a ``ReplayError`` during a replay).
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import charset_normalizer
import defusedxml.ElementTree as SafeET
import feedparser
from charset_normalizer.utils import is_multi_byte_encoding
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from feedparser.encodings import convert_to_utf8
from w3lib.encoding import html_to_unicode

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


WESTERN_FALLBACK = "cp1252"
"""The encoding of an undeclared page that is neither UTF-8 nor in a detected multi-byte
encoding: what browsers in Western locales (and Scrapy) assume."""

LEGACY_ENCODINGS = {
    "zh": ("gb18030", "big5"),
    "ja": ("cp932", "euc_jp"),
    "ko": ("cp949",),
}
"""The legacy encodings a page in each language may be in, undeclared: GB18030 (a superset of
GB2312 and GBK) and Big5 for Chinese, Shift_JIS and EUC-JP for Japanese, EUC-KR for Korean."""


def decode_html(body: bytes, content_type: str | None, language: str | None = None) -> str:
    """An HTML body as text: in the encoding its BOM, its ``Content-Type`` charset or its
    ``<meta>`` declares, else UTF-8 when it decodes as such, else a detected encoding.

    Chinese sites still serve GBK, GB2312, GB18030 or Big5 pages that declare nothing. A
    detector alone takes a short GBK page for Korean (CP949); knowing the source's
    ``language`` (as a browser knows its locale) narrows the guess to that language's
    encodings, and then even a one-line listing is read right.
    """
    _, text = html_to_unicode(
        content_type, body, auto_detect_fun=lambda raw: detect_html_encoding(raw, language)
    )
    return text


def detect_html_encoding(body: bytes, language: str | None = None) -> str:
    """The encoding of an undeclared body: UTF-8 if it decodes; else charset-normalizer's
    best guess among the ``LEGACY_ENCODINGS`` of the page's language, or among all
    encodings when the language has none listed, taken only when it is a multi-byte one;
    else ``WESTERN_FALLBACK``.

    A single-byte guess is never taken: telling one code page from another (Windows-1250
    from 1252) is a coin toss on short pages, and Windows-1252 is what was assumed before.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        primary = (language or "").split("-")[0].lower()
        candidates = list(LEGACY_ENCODINGS.get(primary, ())) or None
        best = charset_normalizer.from_bytes(body, cp_isolation=candidates).best()
        if best is not None and is_multi_byte_encoding(best.encoding):
            return best.encoding
        return WESTERN_FALLBACK
    return "utf-8"


def parse_xml(body: bytes, location: str) -> Element:
    """The root element of an XML body, refusing malformed XML and entity declarations.

    Entity declarations are refused outright (billion laughs, quadratic blowup, external
    entities); a DTD without entities is allowed, as some feeds carry one. A body in a
    multi-byte encoding expat cannot read (GB2312, GBK, GB18030, Big5, Shift_JIS, EUC-KR:
    common on Chinese, Japanese and Korean sites) is transcoded to UTF-8 and read the same way.

    Raises:
        PayloadError: Saying what was wrong.
    """
    try:
        return _root(body)
    except _XML_ERRORS as exc:
        if str(exc) != _MULTI_BYTE_REFUSED:
            raise _refusal(exc, location) from None
    try:
        return _root(_as_utf8(body, location))
    except _XML_ERRORS as exc:
        raise _refusal(exc, location) from None


_XML_ERRORS = (DefusedXmlException, ParseError, LookupError, ValueError)
_MULTI_BYTE_REFUSED = "multi-byte encodings are not supported"
"""What expat says of a declared encoding it does not read itself (GBK, Big5 ...)."""


def _root(body: bytes) -> Element:
    root: Element = SafeET.fromstring(body)
    return root


def _as_utf8(body: bytes, location: str) -> bytes:
    """The body transcoded to UTF-8 from the encoding its XML declaration names (the
    declaration rewritten to say UTF-8).

    Raises:
        PayloadError: When the body is not in the encoding it declares (never guessed).
    """
    result: dict[str, Any] = {}
    converted: bytes = convert_to_utf8({}, body, result)
    if result.get("bozo"):
        raise PayloadError(location, f"unreadable XML: {result['bozo_exception']}")
    return converted


def _refusal(exc: Exception, location: str) -> PayloadError:
    """Why an XML body was refused, in words for the run's record."""
    if isinstance(exc, EntitiesForbidden):
        return PayloadError(
            location, f"XML declares entity {exc.name!r}: refused (entity expansion attack?)"
        )
    if isinstance(exc, DTDForbidden):
        return PayloadError(location, "XML has a forbidden DTD")
    if isinstance(exc, DefusedXmlException):
        return PayloadError(location, f"unsafe XML refused: {exc}")
    if isinstance(exc, ParseError):
        return PayloadError(location, f"not well-formed XML: {exc}")
    return PayloadError(location, f"unreadable XML: {exc}")  # an unknown or unusable encoding


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
