"""Stored XSS through crawled content (issue #9, abuse).

Hostile text reaches the web UI two ways, and both are checked in the rendered pages:

1. through a real crawl: a feed whose entries carry ``<script>``, ``onerror=`` attributes,
   ``javascript:`` links and a ``javascript:`` item link, replayed through the EUIPO spider
   and stored by ``run_and_store``;
2. straight through the store (``crawlers.store.store_items``), as if a future parser let
   raw markup through: title, summary, body and url all hostile.

Then the pipeline tags, indexes and evaluates the items (one becomes an alert for a Wuxi
battery maker), and ``/search``, ``/items/{id}``, ``/alerts`` and ``/alerts/{id}`` are
rendered by the real app. Each page is parsed with lxml: no ``<script>`` element, no
``on*`` attribute and no ``javascript:`` link may come from an item, and the hostile text
must still be readable as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.types import ItemRecord, stable_item_id

SCRIPT = "<script>alert('xss-title')</script>"
ONERROR = "<img src=x onerror=\"alert('xss-summary')\">"
JS_LINK = "<a href=\"javascript:alert('xss-body')\">read more</a>"
SVG = "<svg onload=\"alert('xss-svg')\"></svg>"
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href"})

PROFILE = """
id: wuxi-battery
name: {zh: 无锡某电池有限公司, en: Wuxi Example Battery Co.}
chains: [A5, F4]
destinations: [{country: US, export_share: 0.4}]
"""

HOSTILE_STORED = ItemRecord(
    id=stable_item_id("federal_register", "2025-66666"),
    source="federal_register",
    url="javascript:alert('xss-url')",
    title=f"{SCRIPT} Certain Lithium-Ion Battery Cells; Institution of Investigation",
    summary=(
        f"{ONERROR} The U.S. International Trade Commission has instituted Investigation "
        "No. 337-TA-1666 under section 337 of the Tariff Act of 1930 concerning lithium-ion "
        "battery cells. The respondents are Jiangsu Example Battery Co., Ltd. of Wuxi, China."
    ),
    body=f"{JS_LINK}\n\n{SVG} Respondents: Jiangsu Example Battery Co., Ltd.",
    language="en",
    published_at=datetime(2025, 6, 2, tzinfo=UTC),
    jurisdictions=["US"],
    kind="dispute",
    ip_types=["patent"],
    case_refs=["337-TA-1666"],
)


def hostile_feed() -> bytes:
    """An RSS feed as a compromised or careless publisher might send it."""

    def item(number: int, link: str, title: str, html: str) -> str:
        return (
            f"<item><title>{title}</title><link>{link}</link>"
            f"<guid>https://www.euipo.europa.eu/en/news/xss-{number}</guid>"
            "<pubDate>Mon, 02 Jun 2025 09:00:00 +0200</pubDate>"
            f"<description><![CDATA[{html}]]></description></item>"
        )

    items = [
        # The title escaped twice: once for XML, once as HTML text: it reads as markup.
        item(
            1,
            "https://www.euipo.europa.eu/en/news/xss-1",
            "&amp;lt;script&amp;gt;alert('xss-feed')&amp;lt;/script&amp;gt; Trade mark fees",
            f"<p>Fees change.</p>{ONERROR}<script>alert('xss-feed')</script>{JS_LINK}",
        ),
        item(
            2,
            "https://www.euipo.europa.eu/en/news/xss-2\" onmouseover=\"alert('xss-feed')",
            "Design reform <b onclick=\"alert('xss-feed')\">enters</b> into force",
            SVG,
        ),
        item(3, "javascript:alert('xss-feed')", "A link that is a script", "<p>Text.</p>"),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>EUIPO - News</title><link>https://www.euipo.europa.eu/en/news</link>"
        f"<description>News</description>{''.join(items)}</channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over a database holding the hostile items, tagged, indexed and evaluated
    (built once for the module: a crawl child and the whole pipeline run to make it)."""
    from core.db import get_engine
    from core.settings import get_settings

    root = tmp_path_factory.mktemp("xss")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("IPRWATCH_DATA_DIR", str(root / "var"))
        patch.setenv("IPRWATCH_DATABASE_URL", f"sqlite:///{root / 'var' / 'iprwatch.db'}")
        patch.delenv("IPRWATCH_SEARCH_URL", raising=False)
        patch.delenv("IPRWATCH_BROKER_URL", raising=False)
        patch.delenv("IPRWATCH_SOURCES_DIR", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            with hostile_app(root / "var") as test_client:
                yield test_client
        finally:
            get_settings.cache_clear()
            get_engine.cache_clear()


def hostile_app(data_dir: Path) -> TestClient:
    from api.app import create_app
    from api.pipeline import process_items
    from core.db import session_scope
    from core.migrate import upgrade
    from core.models import Item
    from crawlers.pipeline import run_and_store
    from crawlers.store import store_items
    from warning.profiles import parse_profiles
    from warning.store import save_profiles

    upgrade()
    feed = data_dir / "hostile_feed.xml"
    feed.write_bytes(hostile_feed())
    outcome, _ = run_and_store("euipo_news", replay=feed, in_subprocess=True)
    assert [p.kind for p in outcome.problems if "javascript:" in p.message] == ["item"]
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
        store_items(session, "federal_register", [HOSTILE_STORED])
        ids = list(session.scalars(select(Item.id)))
        summary = process_items(session, ids, as_of=datetime(2025, 6, 3).date())
        assert summary.alerts, "the hostile 337 notice still raises its alert"
    return TestClient(create_app())


def executable_markup(html: str) -> list[str]:
    """Everything in a page that would run script: script elements, ``on*`` attributes,
    ``javascript:`` (or ``data:``, ``vbscript:``) links, sources and form actions."""
    page = lxml.html.document_fromstring(html)
    found = [f"<script>{s.text_content()[:60]}" for s in page.iter("script")]
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        for name, value in element.attrib.items():
            scheme = value.strip().lower()
            if name.lower().startswith("on") or (
                name.lower() in URL_ATTRIBUTES
                and scheme.startswith(("javascript:", "data:", "vbscript:"))
            ):
                found.append(f"<{element.tag} {name}={value[:60]}>")
    return found


def page_text(html: str) -> str:
    return lxml.html.document_fromstring(html).text_content()


def assert_safe(html: str) -> None:
    assert executable_markup(html) == []


def test_the_crawler_keeps_markup_out_of_stored_text_and_refuses_script_links(
    client: TestClient,
) -> None:
    from core.db import session_scope
    from core.models import Item

    with session_scope() as session:
        rows = list(session.scalars(select(Item).where(Item.source_id == "euipo_news")))
    assert len(rows) == 2, "the javascript: link's entry is skipped"
    by_ref = {row.raw_ref: row for row in rows}
    first = by_ref["https://www.euipo.europa.eu/en/news/xss-1"]
    assert first.title == "<script>alert('xss-feed')</script> Trade mark fees"  # text, not markup
    assert first.summary == "Fees change.\nread more"
    second = by_ref["https://www.euipo.europa.eu/en/news/xss-2"]
    assert second.title == "Design reform enters into force"
    assert all(row.url and row.url.startswith("https://") for row in rows)


def test_item_pages_show_hostile_text_as_text(client: TestClient) -> None:
    page = client.get(f"/items/{HOSTILE_STORED.id}", params={"lang": "en"})
    assert page.status_code == 200
    assert_safe(page.text)
    text = page_text(page.text)
    assert SCRIPT in text and ONERROR in text and JS_LINK in text and SVG in text
    assert "Certain Lithium-Ion Battery Cells" in text
    links = lxml.html.document_fromstring(page.text).xpath("//a/@href")
    assert not any("xss-url" in link for link in links), "a javascript: url is never a link"


def test_crawled_item_pages_are_safe(client: TestClient) -> None:
    for key in ("xss-1", "xss-2"):
        item_id = stable_item_id("euipo_news", f"https://www.euipo.europa.eu/en/news/{key}")
        page = client.get(f"/items/{item_id}")
        assert page.status_code == 200
        assert_safe(page.text)
        for link in lxml.html.document_fromstring(page.text).xpath("//a/@href"):
            assert not link.lower().lstrip().startswith("javascript:")
    first = stable_item_id("euipo_news", "https://www.euipo.europa.eu/en/news/xss-1")
    assert "<script>alert('xss-feed')</script>" in page_text(client.get(f"/items/{first}").text)


@pytest.mark.parametrize("query", ["battery", "lithium", "337-TA-1666", "script", "alert", "fees"])
def test_search_results_and_snippets_show_hostile_text_as_text(
    client: TestClient, query: str
) -> None:
    page = client.get("/search", params={"q": query, "lang": "en"})
    assert page.status_code == 200
    assert_safe(page.text)
    text = page_text(page.text)
    if query in ("battery", "lithium"):
        assert "<script>alert('xss-title')</script> Certain Lithium-Ion" in text


def test_alert_pages_show_hostile_text_as_text(client: TestClient) -> None:
    listing = client.get("/alerts", params={"lang": "en"})
    assert listing.status_code == 200
    assert_safe(listing.text)
    assert SCRIPT in page_text(listing.text), "the item's title is shown, as text"
    ids = [a["id"] for a in client.get("/api/v1/alerts").json()["alerts"]]
    assert ids
    for alert_id in ids:
        page = client.get(f"/alerts/{alert_id}", params={"lang": "en"})
        assert page.status_code == 200
        assert_safe(page.text)
