"""Stored XSS through crawled content and through what users type (issue #9, abuse).

Hostile text reaches the web UI three ways, and all are checked in the rendered pages:

1. through a real crawl: a feed whose entries carry ``<script>``, ``onerror=`` attributes,
   ``javascript:`` links and a ``javascript:`` item link, replayed through the EUIPO spider
   and stored by ``run_and_store``;
2. straight through the store (``crawlers.store.store_items``), as if a future parser let
   raw markup through: title, summary, body and url all hostile;
3. through what users type: the enterprise profile (names, aliases, products, keywords,
   competitors, watch terms), notes on alerts and health checks, a subscription's name and
   a user's display name.

Then the pipeline tags, indexes and evaluates the items (some become alerts for the Wuxi
battery maker), and every page where that text appears is rendered by the real app for a
signed-in admin (who sees all of it). Each page is parsed with lxml: no ``<script>`` element
but the app's own ``/static`` scripts, no ``on*`` attribute and no ``javascript:`` link may
appear, and the hostile text must still be readable as text.
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

NAME_ZH = "<script>alert('xss-name')</script>无锡某电池有限公司"
NAME_EN = "<img src=x onerror=\"alert('xss-name-en')\"> Wuxi Example Battery Co."
ALIAS = "<svg onload=\"alert('xss-alias')\">"
PRODUCT = "<iframe src=\"javascript:alert('xss-product')\"></iframe> cells"
KEYWORD = "\"><script>alert('xss-keyword')</script>"
COMPETITOR = "<b onmouseover=\"alert('xss-competitor')\">Rival</b>"
WATCH_TERM = "<a href=\"javascript:alert('xss-watch')\">battery</a>"
PROFILE = {
    "id": "wuxi-battery",
    "name": {"zh": NAME_ZH, "en": NAME_EN},
    "aliases": [ALIAS, "Jiangsu Example Battery"],
    "chains": ["A5", "F4"],
    "products": [{"name": PRODUCT, "keywords": ["lithium-ion battery", KEYWORD]}],
    "destinations": [{"country": "US", "export_share": 0.4}],
    "competitors": [COMPETITOR],
    "watch_terms": [WATCH_TERM, "battery cells"],
}
NOTE = "<script>alert('xss-note')</script> call counsel"
SUBSCRIPTION = "<img src=x onerror=\"alert('xss-subscription')\"> daily"
USER_NAME = "<svg onload=\"alert('xss-user')\">Admin"
ADMIN_PASSWORD = "admin-password-1"
PROFILE_TEXTS = [NAME_ZH, ALIAS, PRODUCT, KEYWORD, COMPETITOR, WATCH_TERM]

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
                signed_in = test_client.post(
                    "/api/v1/auth/login",
                    json={"email": "admin@example.com", "password": ADMIN_PASSWORD},
                )
                assert signed_in.status_code == 200, signed_in.text
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
    from core.types import EnterpriseProfile
    from crawlers.pipeline import run_and_store
    from crawlers.store import store_items
    from warning.store import save_profiles

    upgrade()
    feed = data_dir / "hostile_feed.xml"
    feed.write_bytes(hostile_feed())
    outcome, _ = run_and_store("euipo_news", replay=feed, in_subprocess=True)
    assert [p.kind for p in outcome.problems if "javascript:" in p.message] == ["item"]
    with session_scope() as session:
        save_profiles(session, [EnterpriseProfile.model_validate(PROFILE)])
        store_items(session, "federal_register", [HOSTILE_STORED])
        ids = list(session.scalars(select(Item.id)))
        summary = process_items(session, ids, as_of=datetime(2025, 6, 3).date())
        assert summary.alerts, "the hostile 337 notice still raises its alert"
    hostile_user_input()
    return TestClient(create_app())


def hostile_user_input() -> None:
    """An admin with a hostile display name, hostile notes on every alert and on a health
    check, and a subscription with a hostile name."""
    from api.auth import create_org, hash_password
    from core.db import session_scope
    from core.models import AlertRow, User
    from reports.service import run_stored_health_check
    from reports.store import add_note as add_health_note
    from warning.store import add_note
    from warning.subscriptions import SubscriptionSpec, create_subscription

    with session_scope() as session:
        create_org(session, "operator", "operator", name_en="Operator")
        session.add(
            User(
                org_id="operator",
                email="admin@example.com",
                display_name=USER_NAME,
                password_hash=hash_password(ADMIN_PASSWORD),
                role="admin",
            )
        )
        for alert_id in session.scalars(select(AlertRow.id)):
            add_note(session, alert_id, NOTE, USER_NAME)
        row, _ = run_stored_health_check(session, "wuxi-battery", datetime(2025, 6, 3).date())
        add_health_note(session, row, USER_NAME, NOTE)
        spec = SubscriptionSpec(
            name=SUBSCRIPTION, enterprise_id="wuxi-battery", owner_contact="mailto://a@b.example"
        )
        create_subscription(session, spec)


def executable_markup(html: str) -> list[str]:
    """Everything in a page that would run script: script elements, ``on*`` attributes,
    ``javascript:`` (or ``data:``, ``vbscript:``) links, sources and form actions."""
    page = lxml.html.document_fromstring(html)
    found = [
        f"<script>{s.text_content()[:60]}"
        for s in page.iter("script")
        if s.text_content().strip() or not s.get("src", "").startswith("/static/")
    ]
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        for name, value in element.attrib.items():
            scheme = value.strip().lower()
            if element.tag == "img" and scheme.startswith("data:image/"):
                continue  # report charts: an image never runs script
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


def health_check_path(client: TestClient) -> str:
    listing = lxml.html.document_fromstring(client.get("/health-checks").text)
    links = [h for h in listing.xpath("//a/@href") if h.startswith("/health-checks/")]
    assert links, "the stored health check is listed"
    return str(links[0])


def test_profile_fields_notes_and_names_show_as_text_on_every_page(client: TestClient) -> None:
    alert_ids = [a["id"] for a in client.get("/api/v1/alerts").json()["alerts"]]
    pages = {
        "/alerts?lang=en": [NOTE],
        "/alerts?lang=zh": [NOTE],
        "/enterprises?lang=en": [NAME_EN],
        "/enterprises?lang=zh": [NAME_ZH],
        "/enterprises/wuxi-battery?lang=zh": PROFILE_TEXTS,
        "/subscriptions?lang=zh": [SUBSCRIPTION, NAME_ZH],
        "/health-checks?lang=zh": [NAME_ZH],
        health_check_path(client) + "?lang=zh": [NOTE, NAME_ZH],
        "/chain": [],
        "/search?q=battery": [],
        "/sources": [],
        **{f"/alerts/{i}?lang=zh": [NOTE, NAME_ZH] for i in alert_ids},
    }
    for path, texts in pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        assert_safe(page.text)
        text = page_text(page.text)
        assert USER_NAME in text, f"{path}: the user's name in the header"
        for hostile in texts:
            assert hostile in text, f"{path}: {hostile!r} shown as text"
