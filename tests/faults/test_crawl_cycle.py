"""A whole crawl cycle over 30 sources, 6 of which misbehave (issue #9, faults).

Thirty sources are written as real ``source.yml`` folders (generic feed, JSON API and
listing spiders) pointing at local sites. The 24 healthy ones serve real fixtures, varied
(whole feeds, slices, merged feeds, paginated JSON, listings with and without article
pages). The six bad ones: a server that hangs past the download timeout, a 500 on every
request, truncated XML, a billion-laughs XML bomb, a listing whose layout changed so its
selector matches nothing, and a 50 MB body (declared, and streamed without a length).

The cycle runs as production runs it: every source through ``run_and_store`` with Scrapy in
a child process, several at a time (``crawlers.cycle.crawl_cycle``). Then every item of the
24 is stored, the 6 are unhealthy with a reason naming the problem, the cycle returns, and a
later cycle with the 6 fixed makes them healthy again without storing anything twice.
"""

from __future__ import annotations

import json
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from parsel import Selector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import make_engine
from core.models import Item
from crawlers.config import XPATH_PREFIX
from crawlers.cycle import CycleReport, crawl_cycle
from crawlers.registry import load_sources
from tests.crawlers.test_parsing import BILLION_LAUGHS
from tests.faults.conftest import Reply, Site, write_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAFC = FIXTURES / "cafc_opinions" / "cafc_opinion_order_rss_2022-01-21.xml"
EUIPO = FIXTURES / "euipo_news" / "euipo_news_rss_2025-06.xml"
WIPO = FIXTURES / "wipo_news" / "wipo_pressroom_rss_2025-03.xml"
FR_SEARCH = FIXTURES / "federal_register" / "fr_api_documents_search_newest_2024_page1.json"
UKIPO = FIXTURES / "ukipo_govuk" / "govuk_search_ipo_newest_page{}.json"
COURTLISTENER = FIXTURES / "courtlistener_recap" / "courtlistener_v4_search_recap_{}.json"
PTAB = FIXTURES / "uspto_ptab" / "ptab_api_{}.json"
FIFTY_MB = 50 * 1024 * 1024
DEFAULT_CAP = 10 * 1024 * 1024
TIMEOUT = 3
CYCLE_SETTINGS = {"DOWNLOAD_TIMEOUT": TIMEOUT, "RETRY_TIMES": 1}
"""A short timeout (and one retry) so the hanging source costs seconds, not minutes."""
WORKERS = 4
RECRAWLED = ("feed_cafc_all", "api_ukipo_paged", "list_upc")
"""Healthy sources crawled again in the second cycle: nothing new, nothing changed."""
RSS = "application/rss+xml; charset=utf-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"

FR_FIELDS = {
    "key": "document_number",
    "title": "title",
    "url": "html_url",
    "summary": "abstract",
    "published_at": "publication_date",
}
UKIPO_FIELDS = {
    "key": "link",
    "title": "title",
    "url": "link",
    "summary": "description",
    "published_at": "public_timestamp",
}
COURTLISTENER_FIELDS = {
    "key": "docket_id",
    "title": "caseName",
    "url": "docket_absolute_url",
    "published_at": "dateFiled",
}
PTAB_FIELDS = {"key": "proceedingNumber", "title": "proceedingNumber"}


@dataclass
class Planned:
    """One source of the cycle: how it is declared, what it serves, what it should give."""

    source_id: str
    spider: str
    paths: list[str]
    options: dict[str, Any]
    count: int = 0
    min_items: int = 1
    language: str = "en"
    site: Site | None = None


# Building the served bodies -------------------------------------------------------------


def feed_slice(path: Path, start: int, stop: int | None) -> bytes:
    """A real RSS feed keeping only items ``start:stop``."""
    root = etree.fromstring(path.read_bytes())
    channel = root.find("channel")
    assert channel is not None
    items = channel.findall("item")
    for item in items[:start] + (items[stop:] if stop is not None else []):
        channel.remove(item)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def feed_merged(first: Path, second: Path) -> bytes:
    """The first feed with the second feed's items appended."""
    root = etree.fromstring(first.read_bytes())
    channel = root.find("channel")
    assert channel is not None
    other = etree.fromstring(second.read_bytes()).find("channel")
    assert other is not None
    for item in other.findall("item"):
        channel.append(item)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def feed_items(body: bytes) -> int:
    """How many items a feed holds (counted independently of feedparser)."""
    return len(etree.fromstring(body).findall("channel/item"))


def json_with_next(path: Path, next_url: str | None) -> bytes:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["next_page_url"] = next_url
    return json.dumps(data).encode()


def json_results(body: bytes) -> int:
    return len(json.loads(body)["results"])


def listing_rows(html: bytes, listing: dict[str, Any]) -> int:
    """How many listing entries the options keep (rows matched, ``include`` applied)."""
    page = Selector(text=html.decode("utf-8"), type="html")
    spec: str = listing["entries"]
    rows = (
        page.xpath(spec.removeprefix(XPATH_PREFIX)) if spec.startswith("xpath:") else page.css(spec)
    )
    include = listing.get("include")
    texts = [" ".join(" ".join(row.xpath(".//text()").getall()).split()) for row in rows]
    return sum(1 for text in texts if include is None or re.search(include, text))


def real_listing(source: str) -> dict[str, Any]:
    """The listing options of a shipped source, as its YAML declares them."""
    from crawlers.registry import SOURCES_DIR, read_source_file

    config = read_source_file(SOURCES_DIR / source / "source.yml")
    assert config.listing is not None
    return config.listing.model_dump(exclude_none=True, exclude_defaults=True)


def entries_only(listing: dict[str, Any]) -> dict[str, Any]:
    """Listing options reading each entry from the listing page (no article pages)."""
    return {key: value for key, value in listing.items() if key not in ("article", "next_page")}


def manifest_pages(folder: Path) -> dict[str, Path]:
    """A saved listing site: each URL path (with query) and the file that answers it."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pages = {}
    for url, name in manifest.items():
        path = url.split("/", 3)[3]
        pages["/" + path] = folder / name
    return pages


# The plan ---------------------------------------------------------------------------------


def healthy_sources(site: Site, new_site: Callable[[], Site]) -> list[Planned]:
    """The 24 healthy sources, their bodies served on ``site`` (or a site of their own)."""
    plans: list[Planned] = []

    def feed(source_id: str, body: bytes, **feed_options: Any) -> None:
        site.serve(f"/{source_id}/feed.xml", Reply(body, content_type=RSS))
        options = {"feed": feed_options} if feed_options else {}
        plans.append(
            Planned(source_id, "feed", [f"/{source_id}/feed.xml"], options, feed_items(body))
        )

    feed("feed_cafc_all", CAFC.read_bytes())
    feed("feed_cafc_head", feed_slice(CAFC, 0, 20))
    feed("feed_cafc_tail", feed_slice(CAFC, 70, None))
    feed("feed_cafc_middle", feed_slice(CAFC, 40, 55), key="link")
    feed("feed_euipo", EUIPO.read_bytes())
    feed("feed_wipo", WIPO.read_bytes())
    feed("feed_merged", feed_merged(EUIPO, WIPO))

    def api(source_id: str, pages: list[bytes], fields: dict[str, str], **api_options: Any) -> None:
        paths = [f"/{source_id}/api?page={n}" for n in range(1, len(pages) + 1)]
        for path, body in zip(paths, pages, strict=True):
            site.serve(path, Reply(body, content_type=JSON))
        options = {"json_api": {"fields": fields, **api_options}}
        count = sum(json_results(body) for body in pages)
        plans.append(Planned(source_id, "json_api", paths[:1], options, count))

    api("api_fr_search", [json_with_next(FR_SEARCH, None)], FR_FIELDS)
    api("api_ukipo_page1", [UKIPO.with_name(UKIPO.name.format(1)).read_bytes()], UKIPO_FIELDS)
    next_page = site.url("/api_ukipo_paged/api?page=2")
    api(
        "api_ukipo_paged",
        [
            json_with_next(UKIPO.with_name(UKIPO.name.format(1)), next_page),
            json_with_next(UKIPO.with_name(UKIPO.name.format(2)), None),
        ],
        UKIPO_FIELDS,
        max_pages=2,
    )
    for case in ("nos830_page1", "nos830_page2", "nos840_page1"):
        body = COURTLISTENER.with_name(COURTLISTENER.name.format(case)).read_bytes()
        api(f"api_recap_{case}", [body], COURTLISTENER_FIELDS, next_page_field=None)
    for case in ("proceedings_aia_trials_page1", "decisions_IPR2016-00831"):
        body = PTAB.with_name(PTAB.name.format(case)).read_bytes()
        fields = dict(PTAB_FIELDS, url="proceedingNumber")
        source_id = "api_ptab_" + case.split("_")[0]
        api(source_id, [body], fields, next_page_field=None)

    def listing(source_id: str, real: str, saved: str, page: str, **changes: Any) -> None:
        pages = manifest_pages(FIXTURES / real / saved)
        options = entries_only(real_listing(real)) | changes
        body = pages[page].read_bytes()
        site.serve(f"/{source_id}{page}", Reply(body, content_type=HTML))
        plans.append(
            Planned(
                source_id,
                "listing",
                [f"/{source_id}{page}"],
                {"listing": options},
                listing_rows(body, options),
            )
        )

    listing(
        "list_kipo",
        "kipo_news",
        "press_2025-06",
        "/en/boardApp/UnifiedBoardApp?a=list&board_id=press&catmenu=ek03_06_01",
    )
    listing("list_india", "india_cgpdtm_notices", "news_2025-06", "/news.htm")
    listing("list_usitc", "usitc_337_news", "news_releases_2025-06", "/news_releases")
    listing(
        "list_usitc_all", "usitc_337_news", "news_releases_2025-06", "/news_releases", include="."
    )
    listing("list_upc", "upc_decisions", "decisions_2025-06-16", "/en/decisions-and-orders")
    listing("list_usitc_page1", "usitc_337_news", "news_releases_2025-06", "/news_releases?page=1")
    listing(
        "list_wipo_lex", "wipo_lex", "latest_additions_2025-06", "/wipolex/en/main/latest-additions"
    )

    def with_articles(source_id: str, real: str, saved: str, start: str, count: int) -> None:
        own = new_site()  # article links are site-relative: the saved site gets a host of its own
        for path, file in manifest_pages(FIXTURES / real / saved).items():
            own.serve(path, Reply(file.read_bytes(), content_type=HTML))
        options = {key: v for key, v in real_listing(real).items() if key != "next_page"}
        plans.append(
            Planned(
                source_id, "listing", [start], {"listing": options}, count, min_items=0, site=own
            )
        )

    with_articles(
        "articles_kipo",
        "kipo_news",
        "press_2025-06",
        "/en/boardApp/UnifiedBoardApp?a=list&board_id=press&catmenu=ek03_06_01",
        3,
    )
    with_articles("articles_jpo", "jpo_news", "whats_new_2025-06", "/e/news/index.html", 4)
    assert len(plans) == 24
    return plans


@dataclass(frozen=True)
class Fault:
    """A misbehaving source: its broken replies, its fixed ones, and the reason expected."""

    planned: Planned
    broken: list[Reply]
    fixed: list[Reply]
    reason: list[str]


def faulty_sources(site: Site) -> list[Fault]:
    """The six misbehaving sources."""
    euipo, wipo, cafc = EUIPO.read_bytes(), WIPO.read_bytes(), CAFC.read_bytes()
    kipo_page = "/en/boardApp/UnifiedBoardApp?a=list&board_id=press&catmenu=ek03_06_01"
    kipo = manifest_pages(FIXTURES / "kipo_news" / "press_2025-06")[kipo_page].read_bytes()
    kipo_options = entries_only(real_listing("kipo_news"))
    redesigned = kipo.replace(b"board_list", b"bbs-table")  # the site's new markup
    assert listing_rows(redesigned, kipo_options) == 0

    def feed(source_id: str, paths: list[str]) -> Planned:
        return Planned(source_id, "feed", paths, {})

    return [
        Fault(
            feed("bad_timeout", ["/bad_timeout/feed.xml"]),
            [Reply(euipo, content_type=RSS, delay=TIMEOUT * 2 + 1)],
            [Reply(euipo, content_type=RSS)],
            ["network", "took longer than", f"{TIMEOUT}"],
        ),
        Fault(
            Planned(
                "bad_http500", "json_api", ["/bad_http500/api"], {"json_api": {"fields": FR_FIELDS}}
            ),
            [Reply(b"Internal Server Error", 500, "text/plain")],
            [Reply(json_with_next(FR_SEARCH, None), content_type=JSON)],
            ["HTTP 500"],
        ),
        Fault(
            feed("bad_truncated", ["/bad_truncated/feed.xml"]),
            [Reply(cafc[: len(cafc) // 3], content_type=RSS)],
            [Reply(cafc, content_type=RSS)],
            ["not well-formed XML"],
        ),
        Fault(
            feed("bad_xml_bomb", ["/bad_xml_bomb/feed.xml"]),
            [Reply(BILLION_LAUGHS, content_type=RSS)],
            [Reply(wipo, content_type=RSS)],
            ["XML declares entity 'lol'", "refused", "entity expansion"],
        ),
        Fault(
            Planned(
                "bad_layout", "listing", ["/bad_layout" + kipo_page], {"listing": kipo_options}
            ),
            [Reply(redesigned, content_type=HTML)],
            [Reply(kipo, content_type=HTML)],
            ["'table.board_list tbody tr' matched nothing", "layout changed"],
        ),
        Fault(
            feed("bad_huge_body", ["/bad_huge_body/declared.xml", "/bad_huge_body/streamed.xml"]),
            [
                Reply(content_type=RSS, stream_bytes=FIFTY_MB),
                Reply(content_type=RSS, stream_bytes=FIFTY_MB, declare_length=False),
            ],
            [Reply(euipo, content_type=RSS), Reply(wipo, content_type=RSS)],
            ["payload", f"over the {DEFAULT_CAP}-byte cap", "(and 1 more)"],
        ),
    ]


def serve_faults(site: Site, faults: list[Fault], fixed: bool) -> None:
    for fault in faults:
        replies = fault.fixed if fixed else fault.broken
        for path, reply in zip(fault.planned.paths, replies, strict=True):
            site.serve(path, reply)
        if fixed:
            fault.planned.count = sum(
                feed_items(r.body)
                if r.content_type == RSS
                else json_results(r.body)
                if r.content_type == JSON
                else listing_rows(r.body, fault.planned.options["listing"])
                for r in replies
            )


def declare(root: Path, site: Site, plans: list[Planned]) -> None:
    for plan in plans:
        base = plan.site or site
        write_source(
            root,
            plan.source_id,
            plan.spider,
            [base.url(path) for path in plan.paths],
            min_items=plan.min_items,
            language=plan.language,
            **plan.options,
        )


def stored_counts(database_url: str) -> dict[str, int]:
    with Session(make_engine(database_url)) as session:
        rows = session.execute(select(Item.source_id, func.count()).group_by(Item.source_id))
        return {source: count for source, count in rows}


def assert_healthy(report: CycleReport, plans: list[Planned], database_url: str) -> None:
    stored = stored_counts(database_url)
    for plan in plans:
        run = report.run_of(plan.source_id)
        assert run.healthy is True, f"{plan.source_id}: {run.reason}"
        assert plan.count > 0, plan.source_id
        assert stored.get(plan.source_id) == plan.count, (plan.source_id, run)


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the crawls)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# The test --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_cycle_over_30_sources_keeps_the_24_good_and_names_what_broke_the_6(
    db: str, sources_dir: Path, new_site: Callable[[], Site]
) -> None:
    site = new_site()
    good = healthy_sources(site, new_site)
    faults = faulty_sources(site)
    serve_faults(site, faults, fixed=False)
    declare(sources_dir, site, good + [f.planned for f in faults])
    assert len(load_sources()) == 30

    started, cpu = time.monotonic(), children_cpu()
    report = crawl_cycle(workers=WORKERS, database_url=db, settings=CYCLE_SETTINGS)
    first_cycle, first_cpu = time.monotonic() - started, children_cpu() - cpu

    assert [r.source_id for r in report.runs] == sorted(load_sources()), "every source ran"
    assert_healthy(report, good, db)
    assert set(report.unhealthy) == {f.planned.source_id for f in faults}
    for fault in faults:
        reason = report.unhealthy[fault.planned.source_id] or ""
        assert reason.startswith("last run failed: "), reason
        for words in fault.reason:
            assert words in reason, (fault.planned.source_id, reason)
    stored = stored_counts(db)
    assert not any(stored.get(f.planned.source_id) for f in faults), "nothing of the bad six"
    huge = report.unhealthy["bad_huge_body"] or ""
    assert f"body declares {FIFTY_MB} bytes" in huge, "the declared length is refused up front"
    assert site.hits[site.url("/bad_http500/api")] == 2, "one retry, then given up"
    assert site.hits[site.url("/bad_timeout/feed.xml")] == 2

    serve_faults(site, faults, fixed=True)
    fixed = [f.planned.source_id for f in faults]
    started, cpu = time.monotonic(), children_cpu()
    again = crawl_cycle(
        [*fixed, *RECRAWLED], workers=WORKERS, database_url=db, settings=CYCLE_SETTINGS
    )
    second_cycle, second_cpu = time.monotonic() - started, children_cpu() - cpu

    assert again.unhealthy == {}
    assert_healthy(again, [f.planned for f in faults], db)
    assert stored_counts(db) == stored | {f.planned.source_id: f.planned.count for f in faults}
    for source_id in RECRAWLED:
        run = again.run_of(source_id)
        assert (run.new, run.changed) == (0, 0), "a healthy source's items are not stored twice"
    print(
        f"\ncrawl cycle, 30 sources ({sum(p.count for p in good)} items of the 24 stored), "
        f"{WORKERS} at a time: {first_cycle:.1f} s "
        f"({first_cpu:.1f} CPU-s in the crawl children) with 6 failing; the 6 fixed "
        f"(+{len(RECRAWLED)} unchanged): {second_cycle:.1f} s ({second_cpu:.1f} CPU-s)"
    )


def test_sources_of_one_site_take_turns_a_download_delay_apart(
    db: str, sources_dir: Path, new_site: Callable[[], Site]
) -> None:
    # two sources starting at one site (as wipo_lex and wipo_news share www.wipo.int) crawled
    # side by side would ask it twice as often as the per-domain throttle allows
    shared, other = new_site(), new_site()
    body = feed_slice(WIPO, 0, 3)
    for source_id, site in (("wipo_a", shared), ("wipo_b", shared), ("elsewhere", other)):
        url = site.serve(f"/{source_id}/feed.xml", Reply(body, content_type=RSS, delay=0.3))
        write_source(sources_dir, source_id, "feed", [url])

    report = crawl_cycle(workers=3, database_url=db, settings=CYCLE_SETTINGS)

    assert report.unhealthy == {}
    assert [r.source_id for r in report.runs] == ["elsewhere", "wipo_a", "wipo_b"]
    answers = sorted(shared.served, key=lambda answer: answer[1])
    assert [path.split("/")[1] for path, _, _ in answers] == ["wipo_a", "wipo_b"]
    (_, _, first_end), (_, second_start, _) = answers
    assert second_start - first_end >= 1.0, "the second crawl waited a download delay"
    assert [path for path, _, _ in other.served] == ["/elsewhere/feed.xml"]
