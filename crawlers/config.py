"""The ``source.yml`` schema: one validated model per source, strict so a typo fails loudly.

A source folder ``crawlers/sources/<id>/`` holds ``source.yml`` (this model) and, when the
generic spiders are not enough, ``spider.py``. Example::

    id: cafc_opinions
    title: {zh: 美国联邦巡回上诉法院判决与裁定, en: Federal Circuit opinions and orders}
    publisher: U.S. Court of Appeals for the Federal Circuit
    jurisdictions: [US]
    language: en
    start_urls: [https://cafc.uscourts.gov/category/opinion-order/feed/]
    spider: custom          # feed | json_api | listing | custom (spider.py subclasses one)
    schedule: "0 */4 * * *" # or daily / hourly / weekly
    kind: decision
    ip_types: [patent]
    expected: {min_items: 20, max_items: 200}
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import pycountry
from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.types import ItemKind

SpiderKind = Literal["feed", "json_api", "listing", "custom"]
IpType = Literal[
    "patent",
    "trademark",
    "copyright",
    "design",
    "trade_secret",
    "geographical_indication",
    "plant_variety",
]

REGIONAL_JURISDICTIONS = frozenset({"EU", "EPO", "UPC", "EUIPO", "WIPO"})
NAMED_SCHEDULES = {
    "hourly": "0 * * * *",
    "daily": "0 3 * * *",
    "weekly": "0 3 * * 1",
}
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_PART = re.compile(r"^(?:\*|(?P<lo>\d+)(?:-(?P<hi>\d+))?)(?:/(?P<step>\d+))?$")
_LANGUAGE = re.compile(r"^(?P<primary>[a-z]{2,3})(?:-[A-Za-z0-9]{2,8})*$")
XPATH_PREFIX = "xpath:"
"""A selector starting with this is XPath; any other selector is CSS (with Scrapy's
``::text`` and ``::attr(name)`` pseudo-elements)."""
_XPATH_NAMESPACES = {
    "re": "http://exslt.org/regular-expressions",
    "set": "http://exslt.org/sets",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    """The source's name in Chinese and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


MIN_BODY_CAP = 64 * 1024
MAX_BODY_CAP = 200 * 1024 * 1024


class Politeness(_Strict):
    """Per-source overrides of the global crawl pace (never faster than 1 request/s) and of
    the download size cap.

    Attributes:
        download_delay: Seconds between two requests to the source's domain (at least 1).
        concurrent_requests: Requests in flight per domain (1 to 4).
        max_body_bytes: The largest response body the downloader accepts for this source
            (default: the global ``IPRWATCH_MAX_BODY_BYTES``, 10 MB). A source whose real
            responses are bigger (GPO's daily Federal Register XML on a heavy day) raises it;
            a bigger body is cancelled mid-download and fails the run.
    """

    download_delay: float | None = Field(default=None, ge=1.0, le=600.0)
    concurrent_requests: int | None = Field(default=None, ge=1, le=4)
    max_body_bytes: int | None = Field(default=None, ge=MIN_BODY_CAP, le=MAX_BODY_CAP)


class Expected(_Strict):
    """How many items one run should yield; fewer than ``min_items`` makes the source unhealthy."""

    min_items: int = Field(ge=0)
    max_items: int = Field(ge=1)

    @model_validator(mode="after")
    def _max_not_below_min(self) -> Expected:
        if self.max_items < self.min_items:
            raise ValueError("max_items is below min_items")
        return self


class FeedOptions(_Strict):
    """Options of the generic RSS/Atom spider.

    Attributes:
        key: The entry field that identifies an item upstream: the feed's own ``id``
            (RSS guid, Atom id) or the entry ``link``.
    """

    key: Literal["id", "link"] = "id"


class JsonFields(_Strict):
    """Where the generic JSON spider finds each item field (dotted paths into an entry)."""

    key: str
    title: str
    url: str | None = None
    summary: str | None = None
    body_html: str | None = None
    published_at: str | None = None


class JsonApiOptions(_Strict):
    """Options of the generic JSON API spider.

    Attributes:
        items_path: Dotted path to the list of entries in a page.
        next_page_field: Dotted path to the next page's URL (``None``: no pagination).
        max_pages: The most pages one run follows.
        fields: Field mapping; required when the generic spider maps entries itself.
    """

    items_path: str = "results"
    next_page_field: str | None = "next_page_url"
    max_pages: int = Field(default=5, ge=1, le=100)
    fields: JsonFields | None = None


def _compilable_selector(value: str) -> str:
    """A CSS or ``xpath:`` selector that compiles (a typo fails at load, not mid-crawl)."""
    if value.startswith(XPATH_PREFIX):
        try:
            etree.XPath(value.removeprefix(XPATH_PREFIX), namespaces=_XPATH_NAMESPACES)
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"invalid XPath {value!r}: {exc}") from None
        return value
    try:
        HTMLTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {value!r}: {exc}") from None
    return value


def _compilable_regex(value: str) -> str:
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    if pattern.groups > 1:
        raise ValueError(f"regular expression {value!r} has more than one group")
    return value


SelectorSpec = Annotated[str, Field(min_length=1), AfterValidator(_compilable_selector)]
"""A CSS selector, or an XPath one written ``xpath:<expression>``."""


class ListingFields(_Strict):
    """Where the listing spider finds item fields, as selectors (CSS or ``xpath:``).

    Text fields take the text of every node matched; ``body`` and ``summary`` keep paragraph
    breaks. Scripts, styles and comments never reach the text.
    """

    title: SelectorSpec | None = None
    date: SelectorSpec | None = None
    summary: SelectorSpec | None = None
    body: SelectorSpec | None = None


class ListingOptions(_Strict):
    """Options of the generic listing spider (``spider: listing``).

    A listing page holds entries; each entry links to an article page, or is itself the item
    when ``article`` is not given. Fields come from the article page first, then from the
    listing entry (``entry``), so a date printed only in the listing is still found.

    Attributes:
        entries: Each entry on a listing page. Matching nothing fails the run: the layout
            has changed.
        link: The entry's article URL, relative to the entry (default: the entry's own
            ``href``, else its first link).
        include: A regular expression the entry's text must match to be kept (others are
            skipped before any request).
        next_page: The next listing page's URL.
        max_pages: The most listing pages one run reads.
        entry: Fields read from each listing entry.
        article: Fields read from the article page (``None``: the entry is the item).
        date_formats: ``strptime`` formats tried before the known ones.
        date_pattern: A regular expression picking the date out of the date field's text
            (its group, or the whole match).
    """

    entries: SelectorSpec
    link: SelectorSpec | None = None
    include: Annotated[str, AfterValidator(_compilable_regex)] | None = None
    next_page: SelectorSpec | None = None
    max_pages: int = Field(default=1, ge=1, le=20)
    entry: ListingFields = ListingFields()
    article: ListingFields | None = None
    date_formats: list[str] = Field(default_factory=list)
    date_pattern: Annotated[str, AfterValidator(_compilable_regex)] | None = None

    @model_validator(mode="after")
    def _title_found_somewhere(self) -> ListingOptions:
        if self.entry.title is None and (self.article is None or self.article.title is None):
            raise ValueError("no title selector: give entry.title or article.title")
        return self


class SourceConfig(_Strict):
    """One source, as declared in ``crawlers/sources/<id>/source.yml``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    title: Title
    publisher: str = Field(min_length=1)
    jurisdictions: list[str] = Field(min_length=1)
    language: str
    start_urls: list[str] = Field(min_length=1)
    spider: SpiderKind
    schedule: str
    politeness: Politeness = Politeness()
    kind: ItemKind
    ip_types: list[IpType] = Field(default_factory=list)
    expected: Expected
    feed: FeedOptions | None = None
    json_api: JsonApiOptions | None = None
    listing: ListingOptions | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id_is_folder_name(cls, value: str, info: ValidationInfo) -> str:
        folder = (info.context or {}).get("folder")
        if folder is not None and folder != value:
            raise ValueError(f"id {value!r} differs from its folder name {folder!r}")
        return value

    @field_validator("jurisdictions")
    @classmethod
    def _known_jurisdictions(cls, value: list[str]) -> list[str]:
        for code in value:
            if code not in REGIONAL_JURISDICTIONS and not _is_alpha2_country(code):
                raise ValueError(
                    f"{code!r} is neither an ISO 3166 alpha-2 code nor one of "
                    f"{', '.join(sorted(REGIONAL_JURISDICTIONS))}"
                )
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        match = _LANGUAGE.match(value)
        if match is None or not _is_language(match["primary"]):
            raise ValueError(f"{value!r} is not a language tag such as 'en' or 'zh-CN'")
        return value

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{url!r} is not an http(s) URL")
        return value

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        cron_fields(value)
        return value

    @model_validator(mode="after")
    def _options_fit_spider(self) -> SourceConfig:
        if self.feed is not None and self.spider == "json_api":
            raise ValueError("feed options given for a json_api spider")
        if self.json_api is not None and self.spider == "feed":
            raise ValueError("json_api options given for a feed spider")
        if self.spider == "json_api" and (self.json_api is None or self.json_api.fields is None):
            raise ValueError("a json_api spider needs json_api.fields")
        if self.listing is not None and self.spider in ("feed", "json_api"):
            raise ValueError(f"listing options given for a {self.spider} spider")
        if self.spider == "listing" and (self.feed is not None or self.json_api is not None):
            raise ValueError("feed or json_api options given for a listing spider")
        if self.spider == "listing" and self.listing is None:
            raise ValueError("a listing spider needs listing options (entries, title)")
        if self.options and self.spider != "custom":
            raise ValueError("options are for a custom spider (spider.py) only")
        return self

    def feed_options(self) -> FeedOptions:
        """The feed options, defaults filled in."""
        return self.feed or FeedOptions()

    def json_api_options(self) -> JsonApiOptions:
        """The JSON API options, defaults filled in."""
        return self.json_api or JsonApiOptions()

    def listing_options(self) -> ListingOptions:
        """The listing options.

        Raises:
            ValueError: When the source has none (a custom spider built on the listing
                spider must still say ``listing:``).
        """
        if self.listing is None:
            raise ValueError(f"{self.id}: a listing spider needs listing options")
        return self.listing

    def crontab(self) -> dict[str, str]:
        """The schedule as Celery ``crontab`` keyword arguments."""
        minute, hour, day_of_month, month_of_year, day_of_week = cron_fields(self.schedule)
        return {
            "minute": minute,
            "hour": hour,
            "day_of_month": day_of_month,
            "month_of_year": month_of_year,
            "day_of_week": day_of_week,
        }


def cron_fields(schedule: str) -> list[str]:
    """The five cron fields of a schedule (numbers, ranges, steps, lists; no names).

    Raises:
        ValueError: When the schedule is neither a named schedule nor a valid cron string.
    """
    fields = NAMED_SCHEDULES.get(schedule, schedule).split()
    if len(fields) != 5:
        raise ValueError(
            f"schedule {schedule!r} is not one of {', '.join(NAMED_SCHEDULES)} "
            "nor a five-field cron string"
        )
    for text, (low, high) in zip(fields, _CRON_RANGES, strict=True):
        for part in text.split(","):
            _check_cron_part(part, low, high, schedule)
    return fields


def _check_cron_part(part: str, low: int, high: int, schedule: str) -> None:
    match = _CRON_PART.match(part)
    if match is None:
        raise ValueError(f"schedule {schedule!r}: cannot read cron field part {part!r}")
    numbers = [int(n) for n in (match["lo"], match["hi"]) if n is not None]
    if any(not low <= n <= high for n in numbers) or match["step"] == "0":
        raise ValueError(f"schedule {schedule!r}: {part!r} is outside {low}-{high}")


def _is_alpha2_country(code: str) -> bool:
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def _is_language(primary: str) -> bool:
    key = "alpha_2" if len(primary) == 2 else "alpha_3"
    return pycountry.languages.get(**{key: primary}) is not None
