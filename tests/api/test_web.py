"""The web UI per role and tenant: who must sign in, what each role sees, and what it must
not (another tenant's ids answer with the 404 page); the alert actions with their CSRF
token; Chinese by default, English on request."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.browser._site import PASSWORDS, Site, build_site

ACME = "exporter@acme.example"
BETA = "exporter@beta.example"
ADVISOR = "advisor@hengyuan.example"
ALLIANCE = "alliance@battery.example"
ADMIN = "admin@operator.example"


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest) -> Site:
    """The site over SQLite, and over PostgreSQL when it is available."""
    request.getfixturevalue("db" if request.param == "sqlite" else "postgres_url")
    return build_site()


@pytest.fixture
def web(site: Site) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app()) as client:
        yield client


def sign_in(client: TestClient, email: str) -> str:
    """Sign in through the form; the session's CSRF token (from the page header)."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORDS[email], "csrf_token": token.group(1)},
    )
    assert response.status_code == 200, response.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert csrf is not None
    return csrf.group(1)


@pytest.mark.parametrize(
    "path",
    ["/", "/alerts", "/alerts/1", "/search?q=battery", "/items/x", "/briefings", "/briefings/1",
     "/health-checks", "/health-checks/1", "/enterprises", "/enterprises/wuxi-battery",
     "/profile", "/subscriptions", "/chain"],
)  # fmt: skip
def test_every_page_but_sign_in_and_sources_needs_a_session(web: TestClient, path: str) -> None:
    response = web.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_sources_and_sign_in_are_public(web: TestClient) -> None:
    sources = web.get("/sources").text
    assert "federal_register" in sources and "built-in method" not in sources
    assert "电子邮箱" in web.get("/login").text


def test_the_sources_page_says_its_times_are_utc(web: TestClient) -> None:
    from core.db import session_scope
    from core.models import Source

    with session_scope() as session:
        session.merge(
            Source(id="federal_register", title_en="Federal Register",
                   last_success_at=datetime(2026, 3, 1, 1, 30, tzinfo=UTC))
        )  # fmt: skip
    for lang in ("zh", "en"):  # 09:30 in Wuxi: a bare "01:30" reads as the night before
        assert "2026-03-01 01:30 UTC" in web.get(f"/sources?lang={lang}").text


def test_the_sources_page_gives_health_reasons_in_its_language(web: TestClient) -> None:
    from core.db import session_scope
    from crawlers.registry import get_source
    from crawlers.runs import record_run

    url = "https://www.federalregister.gov/api/v1/documents.json"
    failure = f"network: {url}: TimeoutError: timed out"
    with session_scope() as session:
        record_run(session, get_source("federal_register"), None, None, failure=failure)
    zh = web.get("/sources?lang=zh").text
    assert f"上次运行失败：网络错误：{url}：TimeoutError: timed out" in zh
    assert "last run failed" not in zh and "network:" not in zh
    assert f"last run failed: {failure}" in web.get("/sources?lang=en").text


def _feed_refusal(body: bytes, url: str) -> str:
    """What the feed reader really says about ``body``."""
    from crawlers.errors import PayloadError
    from crawlers.payloads import parse_feed

    with pytest.raises(PayloadError) as refused:
        parse_feed(body, url)
    return refused.value.reason


@pytest.mark.parametrize(
    ("problems", "chinese", "english_words"),
    [
        (
            [("robots", "Forbidden by robots.txt", True)],
            "上次运行失败：robots.txt 限制：https://x.example/feed：robots.txt 不允许抓取",
            ("robots:", "Forbidden"),
        ),
        (
            [("http", "HTTP 503", True), ("http", "HTTP 503", True)],
            "上次运行失败：HTTP 错误：https://x.example/feed：服务器返回 HTTP 503（另有 1 个问题）",
            ("http:", "and 1 more"),
        ),
        (
            [("payload", b"<html><body>moved</body></html>", True)],
            "上次运行失败：内容无法读取：https://x.example/feed：XML 格式正确，但不是 RSS 或 Atom 订阅源",
            ("payload:", "well-formed", "not an RSS"),
        ),
        (
            [("payload", b"<rss><channel>", True)],
            "上次运行失败：内容无法读取：https://x.example/feed：XML 格式错误：",
            ("payload:", "not well-formed"),
        ),
    ],
)  # fmt: skip
def test_the_problem_words_in_a_health_reason_are_chinese_on_chinese_pages(
    web: TestClient, problems: list[tuple[str, object, bool]], chinese: str,
    english_words: tuple[str, ...],
) -> None:  # fmt: skip
    from core.db import session_scope
    from crawlers.outcome import CrawlOutcome, Problem
    from crawlers.registry import get_source
    from crawlers.runs import record_run

    url = "https://x.example/feed"
    recorded = [
        Problem(kind=kind, location=url, fatal=fatal,  # type: ignore[arg-type]
                message=_feed_refusal(m, url) if isinstance(m, bytes) else str(m))
        for kind, m, fatal in problems
    ]  # fmt: skip
    now = datetime(2026, 3, 1, tzinfo=UTC)
    outcome = CrawlOutcome(
        source_id="federal_register", started_at=now, finished_at=now, problems=recorded,
        items=[],
    )  # fmt: skip
    with session_scope() as session:
        record_run(session, get_source("federal_register"), outcome, None)
    zh = html.unescape(web.get("/sources?lang=zh").text)
    assert chinese in zh
    for words in english_words:
        assert words not in zh
    en = html.unescape(web.get("/sources?lang=en").text)
    assert (recorded[0].describe().split(": ")[0] + ": " + url) in en, "English as recorded"


def test_a_warnings_reason_is_worded_in_chinese_with_its_counts_and_first_problem() -> None:
    from api._source_health import health_reason_text
    from crawlers.outcome import Problem
    from crawlers.runs import describe_warnings

    url = "https://x.example/feed"
    problems = [
        Problem(kind="date", location=url, message="published: unreadable date 'soon'", count=2),
        Problem(kind="unmapped", message="kind: 'Foo' not in the lookup table"),
    ]
    reason = describe_warnings(problems)
    assert health_reason_text(reason, "zh") == (
        "上次运行有 3 条警告（日期问题 2、未映射的值 1）；"
        f"第一条：日期问题：{url}：published：无法读取的日期 'soon'（2 次）"
    )
    assert health_reason_text(reason, "en") == reason


def test_each_role_starts_on_its_own_page(web: TestClient) -> None:
    for email, heading in (
        (ACME, "我的预警"),
        (ADVISOR, "我服务的企业"),
        (ALLIANCE, "产业链看板"),
        (ADMIN, "我的预警"),
    ):
        web.cookies.clear()
        sign_in(web, email)
        assert f"<h1>{heading}" in web.get("/").text


def test_exporter_dashboard_shows_only_its_enterprise_nearest_deadline_first(
    web: TestClient, site: Site
) -> None:
    sign_in(web, ACME)
    page = web.get("/alerts")
    assert '<html lang="zh-CN">' in page.text
    assert "Lithium-Ion Battery Cells" in page.text
    assert "苏州电芯" not in page.text and "常州储能" not in page.text
    deadlines = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', page.text)
    assert deadlines and deadlines == sorted(deadlines)
    assert 'class="overdue"' in page.text and "逾期" in page.text
    assert web.get("/alerts?status=bogus").status_code == 200  # an old bookmark: open alerts


def test_a_fixed_data_sets_deadlines_count_to_the_day_it_stands_at(
    web: TestClient, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's data stops on a past day: judged against today every demo alert was
    "overdue" by hundreds of days; judged against the data's day (``IPRWATCH_DATA_AS_OF``),
    the 337 answer due 20 days after the notice is still ahead, and the page says which day
    it counts to."""
    from core.settings import get_settings

    sign_in(web, ACME)
    assert "逾期" in web.get("/alerts").text  # today: long past every deadline
    monkeypatch.setenv("IPRWATCH_DATA_AS_OF", "2025-03-10")
    get_settings.cache_clear()
    page = web.get("/alerts")
    assert "数据截至 2025年3月10日" in page.text
    assert 'class="overdue"' not in page.text
    deadlines = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', page.text)
    assert deadlines and min(deadlines) > "2025-03-10"
    alert_id = site.alert_ids["wuxi-battery"][0]
    one = web.get(f"/alerts/{alert_id}?lang=en").text
    assert "overdue-flag" not in one and "Data as of" not in one
    english = web.get("/alerts?lang=en").text
    assert "Data as of 10 Mar 2025: the stored data is a fixed set" in english


def _store_late_news(today: date) -> tuple[int, date]:
    """A 337 notice published 10 days ago about an investigation instituted 400 days ago:
    its 20-day answer deadline had passed long before anyone could read of it. The new
    alert's id and its deadline."""
    from sqlalchemy import select

    from api.pipeline import process_items
    from core.db import session_scope
    from core.models import AlertRow
    from core.types import ItemRecord, stable_item_id
    from crawlers.store import store_items

    instituted = today - timedelta(days=400)
    item = ItemRecord(
        id=stable_item_id("federal_register", "2026-late-1200"),
        source="federal_register",
        url="https://www.federalregister.gov/d/2026-late-1200",
        title="Certain Battery Management Modules; Notice of Request for Submissions",
        summary=(
            "The U.S. International Trade Commission instituted Investigation No. 337-TA-1200 "
            f"on {instituted:%B} {instituted.day}, {instituted.year}, based on a complaint "
            "concerning lithium-ion battery cells and battery management modules."
        ),
        language="en",
        published_at=datetime.combine(today - timedelta(days=10), time(9), tzinfo=UTC),
    )
    with session_scope() as session:
        result = store_items(session, "federal_register", [item])
        session.flush()
        process_items(session, [i for i, _ in result.written], as_of=today)
        row = session.scalars(
            select(AlertRow).where(
                AlertRow.item_id == item.id,
                AlertRow.enterprise_id == "wuxi-battery",
                AlertRow.deadline.is_not(None),
            )
        ).first()
        assert row is not None and row.deadline is not None
        return row.id, row.deadline


def test_a_deadline_that_passed_before_publication_is_not_counted_overdue(
    web: TestClient, site: Site
) -> None:
    """News of a case can come long after its dates: such an alert says its deadline had
    passed before publication, is not flagged or counted as overdue, and sorts after the
    deadlines still running; an alert really running late stays overdue."""
    sign_in(web, ACME)
    before = web.get("/alerts").text
    overdue_before = re.search(r'card-overdue"><span class="n">(\d+)', before)
    assert overdue_before is not None and int(overdue_before.group(1)) >= 1
    alert_id, deadline = _store_late_news(site.today)
    assert deadline < site.today - timedelta(days=10)  # counted from institution, 400 days ago

    page = web.get("/alerts").text
    overdue_after = re.search(r'card-overdue"><span class="n">(\d+)', page)
    assert overdue_after is not None and overdue_after.group(1) == overdue_before.group(1)
    row = re.search(
        rf'<tr[^>]*>(?:(?!</tr>).)*href="/alerts/{alert_id}"(?:(?!</tr>).)*</tr>', page, re.S
    )
    assert row is not None
    assert "发布前已过期" in row.group(0) and "逾期" not in row.group(0)
    assert not row.group(0).startswith('<tr class="overdue"')
    deadlines = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', page)
    assert deadlines[-1] == deadline.isoformat()  # after every running deadline

    one = web.get(f"/alerts/{alert_id}").text
    assert "overdue-flag" not in one and "在本信息发布" in one and "之前已经届满" in one
    english = web.get(f"/alerts/{alert_id}?lang=en").text
    assert "had passed before the item was published" in english


def test_guessed_ids_of_another_tenant_get_the_404_page(web: TestClient, site: Site) -> None:
    sign_in(web, ACME)
    others = [
        f"/alerts/{site.alert_ids['suzhou-cells'][0]}",
        "/enterprises/suzhou-cells",
        "/alerts?enterprise=suzhou-cells",
        "/alerts/99999",
    ]
    for path in others:
        page = web.get(path)
        assert page.status_code == 404, path
        assert "页面不存在" in page.text
    mine = web.get(f"/alerts/{site.alert_ids['wuxi-battery'][0]}")
    assert mine.status_code == 200


def test_alert_page_says_why_shows_evidence_spans_action_and_deadline(
    web: TestClient, site: Site
) -> None:
    sign_in(web, ACME)
    pages = [web.get(f"/alerts/{i}?lang=en").text for i in site.alert_ids["wuxi-battery"]]
    page = next(p for p in pages if "337-TA-1450" in p and "<blockquote>" in p)
    for text in ("Why you got this", "Evidence", "Recommended action", "Deadline"):
        assert text in page
    assert "Export markets" in page and "<mark>lithium-ion battery" in page.lower()
    assert "in the summary" in page or "in the title" in page


def test_alert_page_names_the_markets_in_the_page_language(web: TestClient, site: Site) -> None:
    sign_in(web, ACME)
    alert_id = site.alert_ids["wuxi-battery"][0]
    english, chinese = (web.get(f"/alerts/{alert_id}?lang={lang}").text for lang in ("en", "zh"))
    assert '<span class="tag" title="US">United States</span>' in english
    assert '<span class="tag" title="US">美国</span>' in chinese
    assert '<span class="tag">US</span>' not in english


def test_the_chinese_alert_page_lists_uncovered_markets_in_chinese(
    web: TestClient, site: Site
) -> None:
    sign_in(web, ACME)
    pages = [web.get(f"/alerts/{i}?lang=zh").text for i in site.alert_ids["wuxi-battery"]]
    lists = [m for p in pages for m in re.findall(r"尚无专利布局的市场</th><td>([^<]+)<", p)]
    assert lists and all(re.fullmatch(r"[^\x00-\x7f]+(、[^\x00-\x7f]+)*", m) for m in lists), lists


def test_the_chinese_alert_page_words_party_roles_and_dates_for_a_reader_in_china(
    web: TestClient, site: Site
) -> None:
    from core.db import session_scope
    from core.models import AlertRow, Item

    with session_scope() as session:
        alert = session.get_one(AlertRow, site.named_alert_id)
        item = session.get_one(Item, alert.item_id)
        item.published_at = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 8 Dec, 01:00 in Wuxi
    sign_in(web, ACME)
    url = f"/alerts/{site.named_alert_id}"
    chinese, english = (web.get(f"{url}?lang={lang}").text for lang in ("zh", "en"))
    assert "（被申请人）" not in chinese and "(被申请人)" in chinese
    assert "(respondent)" not in chinese
    assert "2026年12月8日（北京时间）" in chinese and "2026年12月7日" not in chinese
    assert "(respondent)" in english and "7 Dec 2026 (UTC)" in english


def test_acknowledge_dismiss_and_note_from_the_page(web: TestClient, site: Site) -> None:
    csrf = sign_in(web, ACME)
    alert = site.alert_ids["wuxi-battery"][0]
    done = web.post(f"/alerts/{alert}/acknowledge", data={"csrf_token": csrf})
    assert done.status_code == 200 and "已确认 · 王敏" in done.text
    noted = web.post(f"/alerts/{alert}/notes", data={"csrf_token": csrf, "note": "转法务"})
    assert "转法务" in noted.text
    dismissed = web.post(f"/alerts/{alert}/dismiss", data={"csrf_token": csrf, "reason": "not_us"})
    assert "非本企业" in dismissed.text
    assert f'href="/alerts/{alert}"' not in web.get("/alerts").text  # no longer open
    assert f'href="/alerts/{alert}"' in web.get("/alerts?status=dismissed").text


def test_alert_actions_need_the_csrf_token_and_the_tenant(web: TestClient, site: Site) -> None:
    csrf = sign_in(web, ACME)
    alert = site.alert_ids["wuxi-battery"][1]
    refused = web.post(f"/alerts/{alert}/resolve", data={})
    assert refused.status_code == 403
    other = site.alert_ids["suzhou-cells"][0]
    assert web.post(f"/alerts/{other}/resolve", data={"csrf_token": csrf}).status_code == 404
    assert 'class="status status-new"' in web.get(f"/alerts/{alert}").text
    web.cookies.clear()
    sign_in(web, BETA)
    assert "尚未跟进" in web.get(f"/alerts/{other}").text  # the refused resolve left no trace


def test_advisor_sees_its_enterprises_with_health_level_and_follow_up(
    web: TestClient, site: Site
) -> None:
    csrf = sign_in(web, ADVISOR)
    page = web.get("/enterprises").text
    assert "无锡某电池有限公司" in page and "常州储能系统有限公司" in page
    assert "苏州电芯" not in page
    assert "level-" in page and "尚未体检" in page  # one checked, one not
    web.post(
        f"/alerts/{site.alert_ids['changzhou-storage'][0]}/acknowledge", data={"csrf_token": csrf}
    )
    follow = web.get("/alerts?enterprise=changzhou-storage").text
    assert "已确认 · 恒远知识产权 张律师" in follow
    note = web.post(
        f"/health-checks/{site.health_check_id}/notes",
        data={"csrf_token": csrf, "text": "补充美国商标"},
    )
    assert "补充美国商标" in note.text


def test_exporter_may_read_but_not_annotate_its_health_check(web: TestClient, site: Site) -> None:
    csrf = sign_in(web, ACME)
    page = web.get(f"/health-checks/{site.health_check_id}")
    assert page.status_code == 200 and "/notes" not in page.text
    note = web.post(
        f"/health-checks/{site.health_check_id}/notes", data={"csrf_token": csrf, "text": "x"}
    )
    assert note.status_code == 404
    web.cookies.clear()
    sign_in(web, BETA)
    assert web.get(f"/health-checks/{site.health_check_id}").status_code == 404
    assert "无锡某电池" not in web.get("/health-checks").text


def test_alliance_sees_de_identified_counts_for_its_chains_only(web: TestClient) -> None:
    sign_in(web, ALLIANCE)
    assert web.get("/alerts", follow_redirects=False).headers["location"] == "/chain"
    page = web.get("/chain?lang=en").text
    assert "Section 337 investigation" in page  # three enterprises share this risk
    for name in ("wuxi-battery", "suzhou-cells", "changzhou-storage", "Wuxi Example", "Suzhou"):
        assert name not in page
    assert web.get("/enterprises/wuxi-battery").status_code == 404
    assert "无锡某电池" not in web.get("/health-checks").text


def test_alliance_dashboard_names_countries_in_the_page_language(web: TestClient) -> None:
    sign_in(web, ALLIANCE)
    english, chinese = (web.get(f"/chain?lang={lang}").text for lang in ("en", "zh"))
    assert '<td title="US">United States</td>' in english
    assert '<span class="tag" title="US">United States</span>' in english
    assert '<td title="US">美国</td>' in chinese
    assert "<td>US</td>" not in english and '<span class="tag">US</span>' not in english


def test_the_profile_page_names_markets_and_jurisdictions_in_the_page_language(
    web: TestClient,
) -> None:
    """An exporter reads 美国 / United States, with the code beside it, not a bare "US"."""
    sign_in(web, ACME)
    chinese = web.get("/enterprises/wuxi-battery?lang=zh").text
    english = web.get("/enterprises/wuxi-battery?lang=en").text
    assert '<span class="meter-label">美国 (US)</span>' in chinese
    assert '<span class="meter-label">德国 (DE)</span>' in chinese
    assert '<span class="meter-label">United States (US)</span>' in english
    assert '<span class="meter-label">Germany (DE)</span>' in english
    assert ">中国 (CN)</td>" in chinese and ">China (CN)</td>" in english
    assert '<span class="meter-label">US</span>' not in english + chinese


def test_profile_and_subscriptions_pages_hide_channel_urls(web: TestClient) -> None:
    sign_in(web, ACME)
    profile = web.get("/profile")
    assert profile.url.path == "/enterprises/wuxi-battery"
    for text in ("江苏示例电池", "lithium-ion battery", "ZL202210000001.X", "battery cell"):
        assert text in profile.text
    subscriptions = web.get("/subscriptions").text
    assert "337 与诉讼日报" in subscriptions and "mailto" in subscriptions
    assert "ops@acme.example" not in subscriptions


def test_the_subscriptions_page_says_a_shared_address_gets_each_alert_once(
    web: TestClient,
) -> None:
    from core.db import session_scope
    from warning.subscriptions import SubscriptionSpec, create_subscription

    sign_in(web, ACME)
    assert "mailto · 与其他订阅共用" not in web.get("/subscriptions").text
    spec = SubscriptionSpec(
        name="紧急即时",
        enterprise_id="wuxi-battery",
        min_severity="critical",
        channels=["mailto://ops@acme.example", "wecombot://0123456789abcdef"],
        owner_contact="mailto://ops@acme.example",
    )
    with session_scope() as session:
        create_subscription(session, spec)
    chinese = web.get("/subscriptions?lang=zh").text
    assert chinese.count("mailto · 与其他订阅共用") == 2, "both subscriptions mark the address"
    assert "wecombot · " not in chinese
    assert "每条预警只向同一渠道地址发送一次" in chinese and "ops@acme.example" not in chinese
    english = web.get("/subscriptions?lang=en").text
    assert english.count("mailto · shared") == 2
    assert "Each alert reaches a channel address once" in english


def test_only_admins_generate_briefings(web: TestClient) -> None:
    csrf = sign_in(web, ACME)
    assert 'action="/briefings"' not in web.get("/briefings").text
    refused = web.post("/briefings", data={"csrf_token": csrf, "country": "DE"})
    assert refused.status_code == 404


def test_language_switch_keeps_the_query_and_sticks(web: TestClient) -> None:
    sign_in(web, ACME)
    page = web.get("/search", params={"q": "battery", "lang": "en"})
    assert '<html lang="en">' in page.text and "我的预警" not in page.text
    assert 'href="/search?q=battery&amp;lang=zh"' in page.text
    again = web.get("/alerts")
    assert '<html lang="en">' in again.text and "My alerts" in again.text


def test_search_page_highlights_and_offers_facets(web: TestClient) -> None:
    sign_in(web, ACME)
    page = web.get("/search", params={"q": "专利"})
    assert page.status_code == 200
    assert "<mark>" in page.text and "UPC" in page.text
    # jurisdictions by name in the page's language (the code stays in the link and title)
    assert re.search(r'country=UPC[^"]*"[^>]*>欧洲统一专利法院</a>', page.text)
    english = web.get("/search", params={"q": "专利", "lang": "en"})
    assert 'title="UPC">Unified Patent Court</span>' in english.text


def test_search_page_offers_and_runs_a_translated_search(web: TestClient) -> None:
    """锂电池 finds no English item by itself; the page names the English terms it could add
    and links to that search, which finds the lithium-ion battery notice and says what it
    added. Facet links keep the choice."""
    sign_in(web, ACME)
    page = web.get("/search", params={"q": "锂电池"})
    assert "Lithium-Ion Battery Cells" not in page.text
    assert "同时检索中英文同义词" in page.text and "lithium-ion battery" in page.text
    offer = re.search(r'<a href="(/search\?[^"]*translate=true[^"]*)"', page.text)
    assert offer is not None
    translated = web.get(html.unescape(offer.group(1)))
    assert "Lithium-Ion Battery Cells" in translated.text
    assert "已同时检索中英文同义词" in translated.text
    assert re.search(r'name="translate" value="true" checked', translated.text)
    facet = re.search(r'href="(/search\?[^"]*country=US[^"]*)"', translated.text)
    assert facet is not None and "translate=true" in facet.group(1)
    english = web.get("/search", params={"q": "锂电池", "lang": "en"})
    assert "Also search the equivalents:" in english.text


def test_translated_search_page_names_the_words_it_left_out(web: TestClient) -> None:
    """A translated "美国 发起337调查" finds the U.S. notice, and the page says 发起 was left
    out, in the page's language; the plain search mentions nothing left out."""
    sign_in(web, ACME)
    q = "美国 发起337调查"
    translated = web.get("/search", params={"q": q, "translate": "true"})
    assert "Lithium-Ion Battery Cells" in translated.text
    assert "已忽略（表述用词，结果中不必出现）：发起" in translated.text
    english = web.get("/search", params={"q": q, "translate": "true", "lang": "en"})
    assert "Ignored (phrasing, not required in results): 发起" in english.text
    plain = web.get("/search", params={"q": q})
    assert "已忽略" not in plain.text and "Lithium-Ion Battery Cells" not in plain.text


def test_search_page_says_search_is_unavailable_in_the_pages_language(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page was Starlette's bare "Internal Server Error" while the index was down."""
    from core.settings import get_settings

    sign_in(web, ACME)
    monkeypatch.setenv("IPRWATCH_SEARCH_URL", "tantivy:///proc/iprwatch-no-such-dir/index")
    get_settings.cache_clear()
    for lang, message in (("zh", "检索服务暂时不可用"), ("en", "Search is unavailable")):
        page = web.get("/search", params={"q": "专利", "lang": lang})
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert f'<html lang="{lang}' in page.text and message in page.text
        assert 'value="专利"' in page.text, "the query stays in the form"


def test_pages_forbid_inline_script(web: TestClient) -> None:
    sign_in(web, ACME)
    policy = web.get("/alerts").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


@pytest.mark.parametrize(
    "params, zh",
    [({"q": "专利" * 251}, "搜索词过长"), ({"country": "XX"}, "未知的国家或地区代码"),
     ({"country": "U" * 9}, "未知的国家或地区代码"), ({"chain": "ZZ9"}, "未知的产业链编号"),
     ({"kind": "rumour"}, "未知的条目类型"), ({"cursor": "x" * 2001}, "翻页链接已失效")],
)  # fmt: skip
def test_search_page_explains_a_bad_query_in_the_pages_language(
    web: TestClient, params: dict[str, str], zh: str
) -> None:
    sign_in(web, ACME)
    page = web.get("/search", params=params)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert zh in page.text and "Value error" not in page.text
    english = web.get("/search", params={**params, "lang": "en"})
    assert english.status_code == 200 and '<html lang="en">' in english.text
    assert zh not in english.text and 'role="alert"' in english.text
