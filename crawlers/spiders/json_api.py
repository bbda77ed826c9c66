"""The generic JSON API spider: entries at ``items_path``, pages by ``next_page_field``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from core.types import ItemRecord
from crawlers.config import JsonApiOptions, JsonFields
from crawlers.context import ParseContext
from crawlers.errors import PayloadError
from crawlers.payloads import decode_json, value_at
from crawlers.spiders.base import SourceSpider
from crawlers.text import html_to_text, plain_title


class JsonApiSpider(SourceSpider):
    """A source published as a paginated JSON API (``spider: json_api``)."""

    @property
    def api_options(self) -> JsonApiOptions:
        """The source's ``json_api:`` options, defaults filled in."""
        return self.source.json_api_options()

    def decode(self, response: Response, ctx: ParseContext) -> Any:
        """The JSON document."""
        return decode_json(response.body, ctx.location)

    def iter_entries(self, payload: Any, ctx: ParseContext) -> Iterable[Any]:
        """The list at ``items_path``."""
        return entries_at(payload, self.api_options.items_path, ctx.location)

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """An entry mapped through ``json_api.fields``."""
        fields = self.api_options.fields
        if fields is None:
            raise NotImplementedError("json_api.fields is not set; a custom spider maps entries")
        return json_entry_to_item(entry, fields, ctx)

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The URL at ``next_page_field``."""
        field = self.api_options.next_page_field
        value = value_at(payload, field) if field else None
        return value if isinstance(value, str) and value else None

    def max_pages(self) -> int:
        """``json_api.max_pages``."""
        return self.api_options.max_pages


def entries_at(payload: Any, path: str, location: str) -> list[Any]:
    """The list of entries at a dotted path.

    Raises:
        PayloadError: When the payload has no list there.
    """
    entries = value_at(payload, path)
    if not isinstance(entries, list):
        raise PayloadError(location, f"expected a list at {path!r}, found {_kind(entries)}")
    return entries


def json_entry_to_item(entry: Any, fields: JsonFields, ctx: ParseContext) -> ItemRecord:
    """A JSON entry as an item, through a field mapping (a relative URL is resolved against
    the page's). Title and summary are read as feeds' are: markup and entities become text.

    Raises:
        ValueError: When the entry is not an object or lacks its key or title.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"entry is {_kind(entry)}, not an object")
    key, title = value_at(entry, fields.key), value_at(entry, fields.title)
    if not key or not title:
        raise ValueError(f"entry lacks {fields.key!r} or {fields.title!r}")

    def text_at(path: str | None) -> str:
        value = value_at(entry, path) if path else None
        return str(value) if value is not None else ""

    url = text_at(fields.url)
    return ctx.new_item(
        str(key),
        plain_title(str(title)),
        url=urljoin(ctx.url, url) if url else None,
        summary=html_to_text(text_at(fields.summary)),
        body=html_to_text(text_at(fields.body_html)),
        published_at=ctx.date(text_at(fields.published_at), "published"),
    )


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"a {type(value).__name__}"
