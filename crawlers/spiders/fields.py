"""Reading item fields out of HTML with the selectors a source's YAML gives.

Selectors are CSS (with Scrapy's ``::text`` and ``::attr(name)``) or XPath written
``xpath:<expression>``. A text field takes everything its selector matches, run through the
shared sanitiser (``crawlers.text``): scripts, styles and comments never reach an item.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector, SelectorList
from scrapy.http import Response

from crawlers.config import XPATH_PREFIX, ListingFields, ListingOptions
from crawlers.errors import PayloadError
from crawlers.payloads import decode_html
from crawlers.text import html_to_text, single_line

_LEADING_BYTES = b"\xef\xbb\xbf \t\r\n"


@dataclass(frozen=True)
class EntryFields:
    """The raw text of an item's fields, as the page(s) printed them."""

    title: str = ""
    date: str = ""
    summary: str = ""
    body: str = ""


def html_selector(response: Response, location: str, language: str | None = None) -> Selector:
    """The page as a selector, its encoding read as a browser would (``decode_html``: an
    undeclared GBK or Big5 page of a source in ``language`` is read as such).

    Raises:
        PayloadError: When the body is not an HTML page.
    """
    if not response.body.lstrip(_LEADING_BYTES).startswith(b"<"):
        raise PayloadError(location, "not an HTML page")
    content_type = response.headers.get(b"Content-Type")
    header = content_type.decode("latin-1") if content_type else None
    return Selector(text=decode_html(response.body, header, language), type="html")


def nodes_at(node: Selector, spec: str) -> SelectorList[Selector]:
    """What a CSS or ``xpath:`` selector matches under ``node``."""
    if spec.startswith(XPATH_PREFIX):
        return node.xpath(spec.removeprefix(XPATH_PREFIX))
    return node.css(spec)


def markup_at(node: Selector, spec: str) -> str:
    """The markup of every match, joined (text and attribute matches are escaped)."""
    parts = [
        html.escape(match.root) if isinstance(match.root, str) else match.get()
        for match in nodes_at(node, spec)
    ]
    return "\n".join(parts)


def text_at(node: Selector, spec: str) -> str:
    """The sanitised plain text of every match, paragraphs kept apart."""
    return html_to_text(markup_at(node, spec))


def link_at(node: Selector, spec: str | None, base_url: str) -> str | None:
    """An absolute link without its fragment: the first match of ``spec`` (an ``href``
    string, or an element whose ``href`` is taken), else the node's own ``href``, else its
    first link."""
    href: str | None
    if spec is None:
        href = node.attrib.get("href") or node.css("a::attr(href)").get()
    else:
        matches = nodes_at(node, spec)
        first = matches[0] if matches else None
        if first is None:
            href = None
        elif isinstance(first.root, str):
            href = first.root
        else:
            href = first.attrib.get("href")
    if not href or not href.strip():
        return None
    return urldefrag(urljoin(base_url, href.strip())).url


def read_fields(row: Selector, page: Selector | None, options: ListingOptions) -> EntryFields:
    """An entry's fields: from the article page where its selectors find text, else from
    the listing entry."""
    return EntryFields(
        title=single_line(_field("title", row, page, options)),
        date=single_line(_field("date", row, page, options)),
        summary=_field("summary", row, page, options),
        body=_field("body", row, page, options),
    )


def date_in(text: str, pattern: str | None) -> str | None:
    """The date part of a field's text: the pattern's group (or match), or all the text.

    ``None`` when a pattern is given and the text does not match it.
    """
    if pattern is None:
        return text
    match = re.search(pattern, text)
    if match is None:
        return None
    return match.group(1) if match.re.groups else match.group(0)


def _field(name: str, row: Selector, page: Selector | None, options: ListingOptions) -> str:
    for node, specs in ((page, options.article), (row, options.entry)):
        spec = _spec(specs, name)
        if node is not None and spec is not None:
            text = text_at(node, spec)
            if text:
                return text
    return ""


def _spec(specs: ListingFields | None, name: str) -> str | None:
    if specs is None:
        return None
    value: str | None = getattr(specs, name)
    return value


def with_query_param(url: str, name: str, value: str) -> str:
    """The URL with one query parameter set (replaced where it stands, or appended)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if name in (key for key, _ in query):
        query = [(key, value if key == name else old) for key, old in query]
    else:
        query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query)))
