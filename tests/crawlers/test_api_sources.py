"""API sources: CourtListener RECAP, USPTO PTAB, GOV.UK (UK IPO) and MOFCOM's IPR portal.

The golden files check what each saved page gives; these tests check the promises around
them: pages are followed (a ``next`` cursor, a ``start`` offset, a POSTed ``pageNumber``)
until the last page, an empty page or ``max_pages``; the CourtListener token travels as a
header and nowhere else; Schedule A captions can be recognised in the stored item; unknown
categorical values are counted on the run; a malformed saved response is a ``ReplayError``
naming its file. Live crawls run against a server the test starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from core.db import session_scope
from core.models import Item
from core.settings import REPO_ROOT
from core.types import ItemKind
from crawlers.context import ParseContext
from crawlers.errors import ReplayError
from crawlers.outcome import CrawlOutcome
from crawlers.pipeline import run_and_store
from crawlers.registry import get_source
from crawlers.runner import crawl_in_subprocess
from crawlers.runs import record_run
from crawlers.sources.courtlistener_recap.spider import (
    TOKEN_ENV,
    docket_to_item,
    is_schedule_a,
    parties_from_caption,
)
from crawlers.sources.mofcom_ipr.spider import title_jurisdictions, title_kind
from crawlers.sources.uspto_ptab.spider import next_record_url, ptab_entry_to_item
from crawlers.spiders.catalog import spider_class
from crawlers.store import store_items, upsert_source
from tests.crawlers.conftest import FIXTURES
from tests.servers import serving

CL_FIXTURES = FIXTURES / "courtlistener_recap"
CL_PAGE_1 = CL_FIXTURES / "courtlistener_v4_search_recap_nos830_page1.json"
CL_PAGE_2 = CL_FIXTURES / "courtlistener_v4_search_recap_nos830_page2.json"
CL_TRADEMARK = CL_FIXTURES / "courtlistener_v4_search_recap_nos840_page1.json"
GOVUK_PAGES = [FIXTURES / "ukipo_govuk" / f"govuk_search_ipo_newest_page{n}.json" for n in (1, 2)]
MOFCOM_CASE = FIXTURES / "mofcom_ipr" / "mofcom_gjxw_2025-06"
CL_SITE = "https://www.courtlistener.com"
TOKEN = "cl-test-token-9f3b27d1e6"
SCHEDULE_A_NOTE = "Schedule A defendants (sealed list)"


# A test server ---------------------------------------------------------------------------


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    form: dict[str, list[str]] = field(default_factory=dict)


Route = Callable[[str, "Seen"], tuple[int, bytes, str]]


class SiteServer(ThreadingHTTPServer):
    """Answers every request through ``route`` and records it (robots.txt: 404, all allowed)."""

    seen: list[Seen]
    route: Route

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        seen = Seen(
            self.command,
            parts.path,
            parse_qs(parts.query),
            self.headers.get("Authorization"),
            parse_qs(body.decode()),
        )
        if parts.path == "/robots.txt":
            status, payload, content_type = 404, b"", "text/plain"
        else:
            self.server.seen.append(seen)
            status, payload, content_type = self.server.route(parts.path, seen)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(data_dir: Path) -> Iterator[SiteServer]:
    httpd = SiteServer(("127.0.0.1", 0), Handler)
    httpd.seen = []
    httpd.route = lambda path, seen: (404, b"not here", "text/plain")
    with serving(httpd):
        yield httpd


def json_page(path: Path, site: SiteServer, rewrite: str | None = None) -> tuple[int, bytes, str]:
    text = path.read_text(encoding="utf-8")
    if rewrite:
        text = text.replace(rewrite, site.base)
    return 200, text.encode(), "application/json"


def ctx_for(source_id: str) -> ParseContext:
    return ParseContext(source=get_source(source_id), location="test.json")


def run_child(source_id: str, start_url: str) -> tuple[CrawlOutcome, str, str]:
    """A live crawl in a child process: its outcome, and everything it printed."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "crawlers.run", source_id, "--start-url", start_url]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    outcome = CrawlOutcome.model_validate(json.loads(done.stdout)["outcome"])
    return outcome, done.stdout, done.stderr


def page_with(path: Path, tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of a saved page, changed, written under ``tmp_path``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    changed = tmp_path / path.name
    changed.write_text(json.dumps(data), encoding="utf-8")
    return changed


# CourtListener ---------------------------------------------------------------------------


def test_courtlistener_follows_the_next_cursor_sending_the_token_only_as_a_header(
    site: SiteServer, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)

    def route(path: str, seen: Seen) -> tuple[int, bytes, str]:
        page = CL_PAGE_2 if "cursor" in seen.query else CL_PAGE_1
        return json_page(page, site, rewrite=CL_SITE)

    site.route = route
    start = f"{site.base}/api/rest/v4/search/?type=r&court=ilnd%20txed&nature_of_suit=830"
    outcome, stdout, stderr = run_child("courtlistener_recap", start)

    assert [bool(s.query.get("cursor")) for s in site.seen] == [False, True]
    assert {s.authorization for s in site.seen} == {f"Token {TOKEN}"}
    assert not outcome.failed and len(outcome.items) == 7
    assert TOKEN not in stdout + stderr
    data_files = [p for p in Path(db.removeprefix("sqlite:///")).parent.rglob("*") if p.is_file()]
    assert not any(TOKEN.encode() in p.read_bytes() for p in data_files), "token kept on disk"
    config = get_source("courtlistener_recap")
    with session_scope(db) as session:
        upsert_source(session, config)
        record_run(session, config, outcome, store_items(session, config.id, outcome.items))
    assert TOKEN.encode() not in Path(db.removeprefix("sqlite:///")).read_bytes()


@pytest.mark.parametrize("back_to", ["page 1", "itself"])
def test_a_next_link_back_to_a_page_already_read_stops_the_crawl_and_says_so(
    site: SiteServer, db: str, back_to: str
) -> None:
    """Page 2's "next" led back to page 1 (its query in another order) or to page 2: the run
    read the pages again until ``max_pages`` (6), then reported that more pages remained."""
    start = f"{site.base}/api/rest/v4/search/?type=r&nature_of_suit=830&court=ilnd"
    looping = json.loads(CL_PAGE_2.read_text(encoding="utf-8"))
    page_2 = json.loads(CL_PAGE_1.read_text(encoding="utf-8"))["next"].replace(CL_SITE, site.base)
    looping["next"] = (
        f"{site.base}/api/rest/v4/search/?court=ilnd&type=r&nature_of_suit=830#top"
        if back_to == "page 1"
        else page_2
    )

    def route(path: str, seen: Seen) -> tuple[int, bytes, str]:
        if "cursor" in seen.query:
            return 200, json.dumps(looping).encode(), "application/json"
        return json_page(CL_PAGE_1, site, rewrite=CL_SITE)

    site.route = route
    outcome, _, _ = run_child("courtlistener_recap", start)

    assert [bool(s.query.get("cursor")) for s in site.seen] == [False, True]
    assert not outcome.failed and len(outcome.items) == 7
    [loop] = [p for p in outcome.problems if p.kind == "payload"]
    assert "leads back to a page already read" in loop.message and not loop.fatal
    config = get_source("courtlistener_recap")
    with session_scope(db) as session:
        upsert_source(session, config)
        record_run(session, config, outcome, store_items(session, config.id, outcome.items))
    from api.services import source_statuses

    [status] = [row for row in source_statuses() if row["id"] == "courtlistener_recap"]
    assert "leads back to a page already read" in status["reason"]


def test_courtlistener_refuses_a_next_page_on_another_host() -> None:
    spider = spider_class("courtlistener_recap")()
    ctx = ctx_for("courtlistener_recap")
    ctx.url = f"{CL_SITE}/api/rest/v4/search/?type=r"
    same = {"next": f"{CL_SITE}/api/rest/v4/search/?cursor=abc&type=r", "results": []}
    other = {"next": "https://collector.example.net/?cursor=abc", "results": []}
    assert spider.next_page_url(same, ctx) == same["next"]
    assert spider.next_page_url(other, ctx) is None
    assert "another host" in ctx.problems[0].message


def test_schedule_a_caption_is_recognisable_in_the_stored_item(db: str) -> None:
    run_and_store("courtlistener_recap", CL_TRADEMARK, in_subprocess=True, database_url=db)
    with session_scope(db) as session:
        stored = {row.case_refs[0]: row for row in session.scalars(select(Item))}
        schedule_a = stored["N.D. Ill. 1:25-cv-06230"]
        ordinary = stored["E.D. Tex. 4:25-cv-00577"]
        assert schedule_a.title.endswith('Identified on Schedule "A"')
        assert SCHEDULE_A_NOTE in schedule_a.summary
        assert schedule_a.parties[1]["role"] == "defendant"
        assert SCHEDULE_A_NOTE not in ordinary.summary


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ('Acme LLC v. The Partnerships and Unincorporated Associations Identified on Schedule "A"', True),
        ("Acme LLC v. The Individuals, Corporations, ... Identified on Schedule A Hereto", True),
        ("ACME LLC V. THE PARTNERSHIPS, AND UNINCORPORATED ASSOCIATIONS IDENTIFIED ON SCHEDULE A", True),
        ("Acme LLC v. Schedulers Automation Co., Ltd.", False),
    ],
)  # fmt: skip
def test_schedule_a_captions_are_told_from_ordinary_ones(caption: str, expected: bool) -> None:
    assert is_schedule_a(caption) is expected


def test_caption_gives_plaintiff_and_defendant() -> None:
    parties = parties_from_caption("Lumen Wireless LLC v. Shenzhen Haoyun Electronics Co., Ltd.")
    assert [(p.name, p.role) for p in parties] == [
        ("Lumen Wireless LLC", "plaintiff"),
        ("Shenzhen Haoyun Electronics Co., Ltd.", "defendant"),
    ]


def test_unknown_nature_of_suit_is_counted_on_the_run_not_mapped(tmp_path: Path) -> None:
    def relabel(page: dict[str, Any]) -> None:
        page["results"][0]["suitNature"] = "890 Other Statutory Actions"

    outcome = crawl_in_subprocess("courtlistener_recap", page_with(CL_PAGE_1, tmp_path, relabel))
    [unmapped] = [p for p in outcome.problems if p.kind == "unmapped"]
    assert unmapped.message == "courtlistener_nature_of_suit: '890' not in the lookup table"
    assert unmapped.count == 1
    assert outcome.items[0].ip_types == [] and outcome.items[1].ip_types == ["patent"]


def test_docket_without_court_citation_falls_back_to_the_court_table() -> None:
    entry = json.loads(CL_PAGE_1.read_text(encoding="utf-8"))["results"][1]
    del entry["court_citation_string"]
    ctx = ctx_for("courtlistener_recap")
    assert docket_to_item(entry, ctx).case_refs == ["E.D. Tex. 2:25-cv-00612"]
    entry["court_id"] = "cacd"
    assert docket_to_item(entry, ctx).case_refs == ["2:25-cv-00612"]
    assert ctx.unmapped == {("courtlistener_court", "cacd"): 1}


# GOV.UK ----------------------------------------------------------------------------------


def test_govuk_pages_follow_start_until_max_pages(site: SiteServer) -> None:
    pages = {"0": GOVUK_PAGES[0], "8": GOVUK_PAGES[1]}
    site.route = lambda path, seen: json_page(pages[seen.query["start"][0]], site)
    start = f"{site.base}/api/search.json?filter_organisations=intellectual-property-office&count=8&start=0"

    outcome = crawl_in_subprocess("ukipo_govuk", start_url=start)

    assert [s.query["start"] for s in site.seen] == [["0"], ["8"]]
    assert len(outcome.items) == 12  # a form and a collection are skipped on purpose
    assert [p.kind for p in outcome.problems] == ["limit"]  # 1,284 results; max_pages is 2
    assert all(item.url.startswith("https://www.gov.uk/") for item in outcome.items)


def test_unknown_govuk_document_type_is_counted_on_the_run(tmp_path: Path) -> None:
    def retype(page: dict[str, Any]) -> None:
        page["results"][0]["content_store_document_type"] = "fatality_notice"

    outcome = crawl_in_subprocess("ukipo_govuk", page_with(GOVUK_PAGES[0], tmp_path, retype))
    [unmapped] = [p for p in outcome.problems if p.kind == "unmapped"]
    assert unmapped.message == "govuk_document_type: 'fatality_notice' not in the lookup table"
    assert outcome.items[0].kind is ItemKind.NEWS  # the source's stated default, counted


# Titles with markup -----------------------------------------------------------------------

MARKED_UP = "<b>Patents</b> &amp; <i>designs</i><script>alert('x')</script>: "
"""What a title's field is given: tags, an entity and a script, before the real title."""


@pytest.mark.parametrize(
    ("source_id", "page", "field"),
    [
        ("federal_register", FIXTURES / "federal_register" / "fr_api_documents_search_newest_2024_page1.json", "title"),
        ("ukipo_govuk", GOVUK_PAGES[0], "title"),
        ("courtlistener_recap", CL_PAGE_1, "caseName"),
        ("uspto_ptab", FIXTURES / "uspto_ptab" / "ptab_api_proceedings_aia_trials_page1.json", "petitionerPartyName"),
        ("uspto_ptab", FIXTURES / "uspto_ptab" / "ptab_api_documents_IPR2022-00037.json", "documentTitleText"),
    ],
)  # fmt: skip
def test_markup_in_a_title_field_never_reaches_the_item_title(
    source_id: str, page: Path, field: str, tmp_path: Path
) -> None:
    """These four spiders kept ``<b>``, ``&amp;`` and whole ``<script>`` elements in titles
    (the feed and JSON-API spiders already cleaned theirs)."""

    def mark_up(data: dict[str, Any]) -> None:
        for entry in data["results"]:
            entry[field] = MARKED_UP + entry[field]

    outcome = crawl_in_subprocess(source_id, page_with(page, tmp_path, mark_up))
    assert outcome.items
    for item in outcome.items:
        assert "Patents & designs: " in item.title, item.title
        assert not any(bad in item.title for bad in ("<", "&amp;", "alert", "script"))


# USPTO PTAB ------------------------------------------------------------------------------


def test_ptab_next_page_starts_after_the_records_read() -> None:
    url = (
        "https://developer.uspto.gov/ptab-api/proceedings?recordStartNumber=0&recordTotalQuantity=4"
    )
    page = {"results": [{}] * 4, "recordTotalQuantity": 9}
    assert next_record_url(page, url) == url.replace("recordStartNumber=0", "recordStartNumber=4")
    last = {"results": [{}], "recordTotalQuantity": 9}
    assert next_record_url(last, url.replace("=0", "=8", 1)) is None
    assert next_record_url({"results": [], "recordTotalQuantity": 9}, url) is None


def test_unknown_ptab_status_is_counted_and_parties_keep_their_roles() -> None:
    page = FIXTURES / "uspto_ptab" / "ptab_api_proceedings_IPR2022-00037.json"
    entry = json.loads(page.read_text(encoding="utf-8"))["results"][0]
    entry["proceedingStatusCategory"] = "Awaiting Mandate"
    ctx = ctx_for("uspto_ptab")
    item = ptab_entry_to_item(entry, ctx)
    assert item is not None and item.case_refs == ["IPR2022-00037"]
    assert [(p.name, p.role) for p in item.parties] == [
        ("Apple Inc.", "petitioner"),
        ("LoganTree LP", "patent owner"),
    ]
    assert "U.S. Patent No. 6,059,576" in item.summary
    assert ctx.unmapped == {("ptab_proceeding_status", "Awaiting Mandate"): 1}


# MOFCOM ----------------------------------------------------------------------------------


def test_mofcom_list_pages_are_posted_until_an_empty_page(site: SiteServer) -> None:
    manifest = json.loads((MOFCOM_CASE / "manifest.json").read_text(encoding="utf-8"))
    articles = {urlsplit(url).path: name for url, name in manifest.items() if "article" in url}
    first_rows = {1: 2, 2: 1, 3: 0}  # fewer rows than saved: a shorter crawl

    def route(path: str, seen: Seen) -> tuple[int, bytes, str]:
        if path in articles:
            return 200, (MOFCOM_CASE / articles[path]).read_bytes(), "text/html; charset=utf-8"
        number = int(seen.form["pageNumber"][0])
        saved = json.loads((MOFCOM_CASE / f"listN_gjxw_page{number}.json").read_text("utf-8"))
        rows = saved["pageInfo"]["rows"][: first_rows[number]]
        return 200, json.dumps({"pageInfo": {"rows": rows}}).encode(), "application/json"

    site.route = route
    start = f"{site.base}/ipr/front/www/listN?cid=gjxw&pageNumber=1"
    pace = {"DOWNLOAD_DELAY": 1.0, "AUTOTHROTTLE_START_DELAY": 1.0}  # the floor, not 2 s
    outcome = crawl_in_subprocess("mofcom_ipr", start_url=start, settings=pace)

    lists = [s for s in site.seen if s.path.endswith("/listN")]
    assert [(s.method, s.form) for s in lists] == [
        ("POST", {"cid": ["gjxw"], "pageNumber": [str(n)]}) for n in (1, 2, 3)
    ]
    assert len(site.seen) == 6 and not outcome.failed
    assert [item.jurisdictions for item in outcome.items] == [["US"], ["EU"], ["KR"]]
    assert all(item.body.startswith("来源：") for item in outcome.items)


def test_mofcom_article_already_stored_is_not_fetched_again(site: SiteServer, db: str) -> None:
    manifest = json.loads((MOFCOM_CASE / "manifest.json").read_text(encoding="utf-8"))
    articles = {urlsplit(url).path: name for url, name in manifest.items() if "article" in url}

    def route(path: str, seen: Seen) -> tuple[int, bytes, str]:
        if path in articles:
            return 200, (MOFCOM_CASE / articles[path]).read_bytes(), "text/html; charset=utf-8"
        number = int(seen.form["pageNumber"][0])
        saved = json.loads((MOFCOM_CASE / f"listN_gjxw_page{number}.json").read_text("utf-8"))
        rows = saved["pageInfo"]["rows"][: {1: 2, 2: 0}.get(number, 0)]
        return 200, json.dumps({"pageInfo": {"rows": rows}}).encode(), "application/json"

    site.route = route
    start = f"{site.base}/ipr/front/www/listN?cid=gjxw&pageNumber=1"
    pace = {"DOWNLOAD_DELAY": 1.0, "AUTOTHROTTLE_START_DELAY": 1.0}
    first = crawl_in_subprocess("mofcom_ipr", start_url=start, settings=pace)
    assert len(first.items) == 2
    with session_scope() as session:
        store_items(session, "mofcom_ipr", first.items[:1])
    site.seen.clear()

    second = crawl_in_subprocess("mofcom_ipr", start_url=start, settings=pace)
    fetched = [s.path for s in site.seen if s.path in articles]
    assert len(fetched) == 1, fetched
    assert [item.url for item in second.items] == [first.items[1].url]


@pytest.mark.parametrize(
    ("title", "codes"),
    [
        ("印度尼西亚知识产权总局发布商标新规", ["ID"]),
        ("欧盟知识产权局发布年度报告", ["EUIPO"]),
        ("美国和欧盟就标准必要专利政策交换意见", ["US", "EU"]),
    ],
)
def test_mofcom_title_names_its_jurisdictions_longest_name_first(
    title: str, codes: list[str]
) -> None:
    ctx = ctx_for("mofcom_ipr")
    assert title_jurisdictions(title, ctx) == codes
    assert not ctx.unmapped


def test_mofcom_title_naming_no_known_country_is_counted() -> None:
    ctx = ctx_for("mofcom_ipr")
    assert title_jurisdictions("乌兹别克斯坦修订专利法", ctx) == []
    assert ctx.unmapped == {
        ("mofcom_country", "no known country in title: 乌兹别克斯坦修订专利法"): 1
    }
    assert title_kind("乌兹别克斯坦修订专利法") is ItemKind.RULE_CHANGE


# Malformed saved responses ---------------------------------------------------------------


@pytest.mark.parametrize(
    "source_id", ["courtlistener_recap", "uspto_ptab", "ukipo_govuk", "mofcom_ipr"]
)
def test_malformed_json_is_a_replay_error_naming_the_file(source_id: str, tmp_path: Path) -> None:
    broken = tmp_path / "truncated_page.json"
    broken.write_text('{"results": [{"title": "cut off', encoding="utf-8")
    with pytest.raises(ReplayError) as caught:
        crawl_in_subprocess(source_id, broken)
    assert str(caught.value).startswith(f"{broken.resolve()}: not valid JSON")


def test_malformed_list_page_in_a_mofcom_replay_folder_names_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    for path in MOFCOM_CASE.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "listN_gjxw_page2.json").write_text('{"pageInfo": {"rows": [', encoding="utf-8")
    with pytest.raises(ReplayError) as caught:
        crawl_in_subprocess("mofcom_ipr", folder)
    page = folder.resolve() / "listN_gjxw_page2.json"
    assert str(caught.value).startswith(f"{page}: not valid JSON")
