"""Editing in the web UI: an enterprise's profile and its subscriptions, with the API's
validation and audit entries, problems shown next to their field in zh or en, nothing
lost on a problem, the volume estimate before a subscription is saved, the tenant (the
404 page), the alliance (may not edit) and the CSRF check (an HTML 403 page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_web import ACME, ADMIN, ADVISOR, ALLIANCE, sign_in
from tests.browser._site import Site, build_site

PROFILE_FORM = {
    "name.zh": "无锡某电池有限公司",
    "name.en": "Wuxi Example Battery Co., Ltd.",
    "aliases": "Jiangsu Example Battery\n江苏示例电池",
    "location.province": "江苏",
    "location.city": "无锡",
    "products.0.name": "Lithium-ion battery cells",
    "products.0.keywords": "lithium-ion battery, battery cell，锂电池",
    "products.0.hs": "8507.60",
    "products.1.name": "Sodium-ion cells",
    "products.1.keywords": "sodium-ion battery",
    "destinations.0.country": "us",
    "destinations.0.export_share": "40",
    "destinations.1.country": "JP",
    "destinations.1.export_share": "15",
    "ip_assets.0.type": "patent",
    "ip_assets.0.jurisdiction": "CN",
    "ip_assets.0.number": "ZL202210000001.X",
    "competitors": "Example Energy Inc.",
    "watch_terms": "battery cell\nsodium-ion",
}


@pytest.fixture
def site(db: str) -> Site:
    return build_site()


@pytest.fixture
def web(site: Site) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app()) as client:
        yield client


def _stored_profile(enterprise_id: str) -> dict[str, Any]:
    from core.db import session_scope
    from core.models import Enterprise

    with session_scope() as session:
        row = session.get(Enterprise, enterprise_id)
        assert row is not None
        return dict(row.profile)


def _audit_actions() -> list[tuple[str, str | None]]:
    from sqlalchemy import select

    from core.db import session_scope
    from core.models import AuditEntry

    with session_scope() as session:
        rows = session.execute(select(AuditEntry.action, AuditEntry.target_id)).tuples()
        return [(a, t) for a, t in rows if not a.startswith("login")]


def _errors(html: str) -> dict[str, str]:
    """Each problem by the input it describes (``aria-describedby`` points at it)."""
    messages = dict(re.findall(r'<p class="field-error" id="err-([^"]+)">([^<]+)</p>', html))
    return {name.replace("-", "."): text for name, text in messages.items()}


def test_exporter_fixes_a_rejected_profile_and_nothing_is_lost(web: TestClient) -> None:
    csrf = sign_in(web, ACME)
    before = _stored_profile("wuxi-battery")
    assert "/enterprises/wuxi-battery/edit" in web.get("/enterprises/wuxi-battery").text
    bad = PROFILE_FORM | {"destinations.1.export_share": "150", "uscc": "12345"}
    page = web.post("/enterprises/wuxi-battery/edit", data={**bad, "csrf_token": csrf})
    assert page.status_code == 422
    errors = _errors(page.text)
    assert errors["destinations.1.export_share"] == "请输入 0 到 100 之间的百分数。"
    assert errors["uscc"].startswith("不是有效的统一社会信用代码")
    assert 'value="150"' in page.text and "Sodium-ion cells" in page.text  # as typed
    assert "sodium-ion\n" in page.text or "sodium-ion<" in page.text
    assert _stored_profile("wuxi-battery") == before  # nothing saved
    saved = web.post(
        "/enterprises/wuxi-battery/edit",
        data={**PROFILE_FORM, "chains": ["A5", "F4"], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    profile = _stored_profile("wuxi-battery")
    assert [p["name"] for p in profile["products"]] == [
        "Lithium-ion battery cells",
        "Sodium-ion cells",
    ]
    assert profile["products"][0]["keywords"] == ["lithium-ion battery", "battery cell", "锂电池"]
    assert profile["destinations"] == [
        {"country": "US", "export_share": 0.4},
        {"country": "JP", "export_share": 0.15},
    ]
    assert profile["chains"] == ["A5", "F4"] and profile["watch_terms"][-1] == "sodium-ion"
    assert ("enterprise.save", "wuxi-battery") in _audit_actions()
    assert "已保存" in web.get(saved.headers["location"]).text


def _input_maxlength(html: str, name: str) -> int:
    found = re.search(rf'<input name="{re.escape(name)}"[^>]*\smaxlength="(\d+)"', html)
    assert found is not None, name
    return int(found.group(1))


def test_the_eu_written_out_fits_the_country_box_and_is_saved(web: TestClient) -> None:
    """The browser stops typing at the box's maxlength: "European Union" (and every name the
    profile accepts, for a market or a right's jurisdiction) must fit, not only EU or 欧盟."""
    csrf = sign_in(web, ACME)
    form = web.get("/enterprises/wuxi-battery/edit").text
    longest = len("United Kingdom of Great Britain and Northern Ireland")
    assert _input_maxlength(form, "destinations.0.country") >= longest
    assert _input_maxlength(form, "ip_assets.0.jurisdiction") >= longest
    data = PROFILE_FORM | {
        "destinations.1.country": "European Union",
        "ip_assets.0.jurisdiction": "European Union",
        "ip_assets.0.type": "trademark",
    }
    saved = web.post(
        "/enterprises/wuxi-battery/edit",
        data={**data, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    profile = _stored_profile("wuxi-battery")
    assert profile["destinations"] == [
        {"country": "US", "export_share": 0.4},
        {"country": "EU", "export_share": 0.15},
    ]
    assert profile["ip_assets"][0]["jurisdiction"] == "EU"
    edit = web.get("/enterprises/wuxi-battery/edit").text
    assert 'name="destinations.1.country" type="text" value="EU"' in edit


def test_alert_contacts_are_edited_on_the_form_and_shown_on_the_profile(
    web: TestClient,
) -> None:
    csrf = sign_in(web, ACME)
    contacts = "ip@wuxi-battery.example\n+86 510 8000 0000"
    form = {**PROFILE_FORM, "contacts": contacts, "csrf_token": csrf}
    web.post("/enterprises/wuxi-battery/edit", data=form, follow_redirects=False)
    assert _stored_profile("wuxi-battery")["contacts"] == [
        "ip@wuxi-battery.example",
        "+86 510 8000 0000",
    ]
    assert "ip@wuxi-battery.example" in web.get("/enterprises/wuxi-battery").text
    edit = web.get("/enterprises/wuxi-battery/edit").text
    assert "预警接收人" in edit and "+86 510 8000 0000" in edit  # filled in for the next edit
    cleared = {**form, "contacts": ""}
    web.post("/enterprises/wuxi-battery/edit", data=cleared, follow_redirects=False)
    assert _stored_profile("wuxi-battery")["contacts"] == []


def test_profile_problems_are_in_english_on_the_english_ui(web: TestClient) -> None:
    csrf = sign_in(web, ACME)
    web.get("/enterprises/wuxi-battery/edit?lang=en")  # remembers the language
    form = PROFILE_FORM | {"name.zh": "", "name.en": "", "chains": ["NOPE"]}
    page = web.post("/enterprises/wuxi-battery/edit", data={**form, "csrf_token": csrf})
    assert page.status_code == 422 and '<html lang="en">' in page.text
    errors = _errors(page.text)
    assert errors["name.zh"] == "Give the name in Chinese or in English."
    assert errors["chains"] == "Not a chain of the taxonomy."
    assert 'aria-invalid="true" aria-describedby="err-name-zh"' in page.text


def test_another_tenants_profile_and_subscription_get_the_404_page(
    web: TestClient, site: Site
) -> None:
    csrf = sign_in(web, ACME)
    before = _stored_profile("suzhou-cells")
    assert web.get("/enterprises/suzhou-cells/edit").status_code == 404
    page = web.post("/enterprises/suzhou-cells/edit", data={**PROFILE_FORM, "csrf_token": csrf})
    assert page.status_code == 404 and "页面不存在" in page.text
    assert _stored_profile("suzhou-cells") == before
    web.cookies.clear()
    other = sign_in(web, "exporter@beta.example")
    for path in ("/subscriptions/1/edit",):
        assert web.get(path).status_code == 404
    assert web.post("/subscriptions/1/delete", data={"csrf_token": other}).status_code == 404
    assert web.post("/subscriptions/1/pause", data={"csrf_token": other}).status_code == 404
    assert web.get("/subscriptions/abc/edit").status_code == 404


def test_an_advisor_edits_the_enterprises_it_serves_only(web: TestClient) -> None:
    csrf = sign_in(web, ADVISOR)
    assert web.get("/enterprises/suzhou-cells/edit").status_code == 404
    form = web.get("/enterprises/changzhou-storage/edit")
    assert form.status_code == 200 and "常州储能系统有限公司" in form.text
    data = {"name.zh": "常州储能系统有限公司", "watch_terms": "储能电池", "csrf_token": csrf}
    saved = web.post("/enterprises/changzhou-storage/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert _stored_profile("changzhou-storage")["watch_terms"] == ["储能电池"]


def test_alliance_cannot_edit(web: TestClient) -> None:
    csrf = sign_in(web, ALLIANCE)
    page = web.get("/subscriptions/new")
    assert page.status_code == 403 and "无权操作" in page.text
    post = web.post("/enterprises/wuxi-battery/edit", data={**PROFILE_FORM, "csrf_token": csrf})
    assert post.status_code == 403


SUBSCRIPTION = {
    "name": "每周 337 汇总",
    "enterprise_id": "wuxi-battery",
    "min_severity": "high",
    "frequency": "weekly",
    "channels": "mailto://legal@acme.example\nwecombot://secretkey123",
    "owner_contact": "mailto://ops@acme.example",
    "language": "zh",
}


def _subscription_names() -> list[str]:
    from sqlalchemy import select

    from core.db import session_scope
    from core.models import Subscription

    with session_scope() as session:
        return list(session.scalars(select(Subscription.name).order_by(Subscription.id)))


def test_a_subscription_is_saved_only_after_its_volume_estimate_is_shown(
    web: TestClient,
) -> None:
    csrf = sign_in(web, ACME)
    assert 'href="/subscriptions/new"' in web.get("/subscriptions").text
    bad = web.post(
        "/subscriptions/new", data={**SUBSCRIPTION, "channels": "ftp://x", "csrf_token": csrf}
    )
    assert bad.status_code == 422
    assert _errors(bad.text)["channels"].startswith("不支持的渠道“ftp”")
    assert "每周 337 汇总" in bad.text and "ftp://x" in bad.text
    first = web.post("/subscriptions/new", data={**SUBSCRIPTION, "csrf_token": csrf})
    assert first.status_code == 200 and "预警数量估算" in first.text
    assert re.search(r"按近 100 天的数据，此订阅将产生 \d+ 条预警", first.text)
    assert _subscription_names() == ["337 与诉讼日报"]  # not saved yet
    confirm = re.search(r'name="confirm" value="([^"]+)"', first.text)
    assert confirm is not None
    changed = {**SUBSCRIPTION, "min_severity": "low", "confirm": confirm.group(1)}
    again = web.post("/subscriptions/new", data={**changed, "csrf_token": csrf})
    assert "预警数量估算" in again.text and len(_subscription_names()) == 1  # re-estimated
    done = web.post(
        "/subscriptions/new",
        data={**SUBSCRIPTION, "confirm": confirm.group(1), "csrf_token": csrf},
    )
    assert done.status_code == 200 and "订阅已创建" in done.text
    assert re.search(r"/api/v1/feeds/\d+\.atom\?token=", done.text)
    assert _subscription_names() == ["337 与诉讼日报", "每周 337 汇总"]
    assert ("subscription.create", "2") in _audit_actions()


def test_a_refused_channel_is_explained_in_the_pages_language(web: TestClient) -> None:
    csrf = sign_in(web, ACME)
    form = web.get("/subscriptions/new").text
    assert "https:// Webhook" not in form and "webhooks://" in form  # the form a webhook takes
    assert re.search(r'<input id="f-name" [^>]*maxlength="200"', form)
    refused = {**SUBSCRIPTION, "channels": "https://hooks.acme.example/iprwatch",
               "owner_contact": "webhook://10.0.0.8/owner", "csrf_token": csrf}  # fmt: skip
    page = web.post("/subscriptions/new", data=refused)
    assert page.status_code == 422
    errors = _errors(page.text)
    assert errors["channels"].startswith("不支持的渠道“https”")
    assert "webhooks://主机/路径（HTTPS）" in errors["channels"]
    assert errors["owner_contact"].startswith("Webhook 目标 10.0.0.8 不是公网地址")
    assert not re.search(r"unsupported|not a public address", page.text)
    web.get("/subscriptions/new?lang=en")  # remembers the language
    english = _errors(web.post("/subscriptions/new", data=refused).text)
    assert unescape(english["channels"]).startswith("Not a supported channel ('https')")
    assert english["owner_contact"].startswith("The webhook target 10.0.0.8 is not a public")


def test_editing_a_subscription_keeps_hidden_channel_secrets(web: TestClient) -> None:
    from core.db import session_scope
    from core.models import Subscription

    csrf = sign_in(web, ACME)
    first = web.post("/subscriptions/new", data={**SUBSCRIPTION, "csrf_token": csrf})
    confirm = re.search(r'name="confirm" value="([^"]+)"', first.text)
    assert confirm is not None
    data = {**SUBSCRIPTION, "confirm": confirm.group(1), "csrf_token": csrf}
    web.post("/subscriptions/new", data=data)
    form = web.get("/subscriptions/2/edit").text
    assert "secretkey123" not in form
    shown = re.search(r'name="channels"[^>]*>([^<]*)</textarea>', form)
    assert shown is not None and "mailto://legal@acme.example" in shown.group(1)
    edit = {**SUBSCRIPTION, "name": "每周汇总（法务）", "channels": shown.group(1)}
    estimate = web.post("/subscriptions/2/edit", data={**edit, "csrf_token": csrf})
    confirm = re.search(r'name="confirm" value="([^"]+)"', estimate.text)
    assert confirm is not None
    saved = web.post(
        "/subscriptions/2/edit",
        data={**edit, "confirm": confirm.group(1), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with session_scope() as session:
        row = session.get(Subscription, 2)
        assert row is not None
        assert row.name == "每周汇总（法务）"
        assert row.channels == ["mailto://legal@acme.example", "wecombot://secretkey123"]
    assert ("subscription.change", "2") in _audit_actions()


def test_exporter_pauses_resumes_and_deletes_a_subscription(web: TestClient) -> None:
    csrf = sign_in(web, ACME)
    paused = web.post("/subscriptions/1/pause", data={"csrf_token": csrf})
    assert "订阅已暂停" in paused.text and "已暂停" in paused.text
    resumed = web.post("/subscriptions/1/resume", data={"csrf_token": csrf})
    assert "订阅已恢复" in resumed.text
    asked = web.get("/subscriptions/1/delete")
    assert "删除此订阅？" in asked.text and _subscription_names() == ["337 与诉讼日报"]
    deleted = web.post("/subscriptions/1/delete", data={"csrf_token": csrf})
    assert "订阅已删除" in deleted.text and _subscription_names() == []
    actions = [a for a, t in _audit_actions() if t == "1"]
    assert actions == ["subscription.change", "subscription.change", "subscription.delete"]


def test_a_tampered_csrf_token_gets_the_403_page_in_the_users_language(
    web: TestClient,
) -> None:
    sign_in(web, ACME)
    before = _stored_profile("wuxi-battery")
    page = web.post("/enterprises/wuxi-battery/edit", data={**PROFILE_FORM, "csrf_token": "forged"})
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "<h1>表单已过期</h1>" in page.text
    assert 'href="/subscriptions"' in page.text  # the signed-in exporter's header
    web.get("/alerts?lang=en")
    english = web.post("/subscriptions/1/delete", data={"csrf_token": "forged"})
    assert english.status_code == 403 and "This form could not be accepted" in english.text
    api = web.delete("/api/v1/subscriptions/1", headers={"X-CSRF-Token": "forged"})
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    assert _stored_profile("wuxi-battery") == before and _subscription_names()


def test_a_subscription_may_narrow_to_the_users_own_saved_search_only(web: TestClient) -> None:
    from core.db import session_scope
    from core.models import Subscription
    from search.query import SearchQuery
    from search.saved import save_search

    with session_scope() as session:
        mine = save_search(session, "337 电池", SearchQuery(q="battery"), "wuxi-battery").id
        theirs = save_search(session, "苏州关注", SearchQuery(q="module"), "suzhou-cells").id
    csrf = sign_in(web, ACME)
    form = web.get("/subscriptions/new").text
    assert "337 电池" in form and "苏州关注" not in form
    other = {**SUBSCRIPTION, "saved_search_id": str(theirs), "csrf_token": csrf}
    refused = web.post("/subscriptions/new", data=other)
    assert refused.status_code == 422 and "saved_search_id" in _errors(refused.text)
    data = {**SUBSCRIPTION, "saved_search_id": str(mine), "csrf_token": csrf}
    estimate = web.post("/subscriptions/new", data=data)
    confirm = re.search(r'name="confirm" value="([^"]+)"', estimate.text)
    assert confirm is not None
    web.post("/subscriptions/new", data={**data, "confirm": confirm.group(1)})
    with session_scope() as session:
        row = session.get(Subscription, 2)
        assert row is not None and row.saved_search_id == mine


@pytest.fixture
def past_web(db: str) -> Iterator[TestClient]:
    """The site as a fixed data set (the demo's kind) whose newest items are of 30 June 2025."""
    from api.app import create_app

    build_site(date(2025, 6, 30))
    with TestClient(create_app()) as client:
        yield client


def _estimate(web: TestClient, csrf: str) -> str:
    page = web.post(
        "/subscriptions/new", data={**SUBSCRIPTION, "min_severity": "info", "csrf_token": csrf}
    )
    assert page.status_code == 200
    found = re.search(r'<section class="estimate[^"]*" id="estimate"[^>]*>(.*?)</section>',
                      page.text, re.S)  # fmt: skip
    assert found is not None
    return unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def test_a_fixed_data_sets_volume_estimate_counts_back_from_the_day_it_stands_at(
    past_web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's bundled items stop on a past day: counted back from today, the estimate
    would say 0 a day; counted back from the data's day (``data_as_of``), it shows the alerts
    those items would have sent, and says which 100 days it counted."""
    from core.settings import get_settings

    csrf = sign_in(past_web, ACME)
    assert "此订阅将产生 0 条预警，约每天 0.0 条" in _estimate(past_web, csrf)  # today's window
    monkeypatch.setenv("IPRWATCH_DATA_AS_OF", "2025-06-30")
    get_settings.cache_clear()
    text = _estimate(past_web, csrf)
    found = re.search(
        r"按截至 2025-06-30（所存数据的日期）的 100 天数据，此订阅将产生 (\d+) 条", text
    )
    assert found is not None, text
    assert int(found.group(1)) > 0
    body = {k: v for k, v in SUBSCRIPTION.items() if k != "channels"} | {"min_severity": "info"}
    api = past_web.post(
        "/api/v1/subscriptions/estimate",
        json={**body, "channels": SUBSCRIPTION["channels"].split("\n")},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 200, api.text
    assert api.json()["until"] == "2025-06-30"
    assert api.json()["alerts"] == int(found.group(1))


def test_a_saved_search_subscriptions_estimate_stops_on_the_day_the_data_stands_at(
    past_web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subscription following only a saved search counts the items of the same 100 days as
    one following a profile: none published after the data's day (``data_as_of``)."""
    from core.db import session_scope
    from core.settings import get_settings
    from search.query import SearchQuery
    from search.saved import save_search

    with session_scope() as session:  # finds the US items of 3, 20 and 75 days before 30 June
        saved = save_search(session, "美国", SearchQuery(jurisdictions=["US"]), None).id
    monkeypatch.setenv("IPRWATCH_DATA_AS_OF", "2025-06-25")  # the 27 June item is after it
    get_settings.cache_clear()
    csrf = sign_in(past_web, ADMIN)  # only admins follow a shared search without an enterprise
    body = {k: v for k, v in SUBSCRIPTION.items() if k not in ("channels", "enterprise_id")}
    api = past_web.post(
        "/api/v1/subscriptions/estimate",
        json={**body, "saved_search_id": saved, "channels": SUBSCRIPTION["channels"].split("\n")},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 200, api.text
    assert api.json()["until"] == "2025-06-25"
    assert api.json()["alerts"] == 2


def test_a_fixed_data_sets_health_checks_and_briefings_count_to_its_day_and_say_so(
    past_web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's items end on 30 June 2025: a health check or briefing as of today would find
    nothing in its window. Given no day, they take the data's day and name it (数据截至); a
    day given explicitly still wins."""
    from core.settings import get_settings

    monkeypatch.setenv("IPRWATCH_DATA_AS_OF", "2025-06-30")
    get_settings.cache_clear()
    csrf = sign_in(past_web, ACME)
    listing = past_web.get("/health-checks?lang=zh").text
    assert "数据截至 2025年6月30日：所存数据是固定的一批" in listing
    page = past_web.post(
        "/health-checks", data={"enterprise_id": "wuxi-battery", "csrf_token": csrf}
    )
    assert page.status_code == 200, page.text
    assert "数据截至: 2025年6月30日 · 考察期: 2024年6月30日 – 2025年6月30日" in page.text
    assert "共考察 4 条信息" in page.text  # as of today: 0
    api = past_web.post(
        "/api/v1/health-checks",
        json={"enterprise_id": "wuxi-battery"},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 201, api.text
    assert api.json()["as_of"] == "2025-06-30"
    given = past_web.post(
        "/api/v1/health-checks",
        json={"enterprise_id": "wuxi-battery", "as_of": "2025-05-01"},
        headers={"X-CSRF-Token": csrf},
    )
    assert given.json()["as_of"] == "2025-05-01"
    english = past_web.get(given.json()["html_url"] + "?lang=en").text
    assert (
        "As of: 1 May 2025 · Data as of: 30 Jun 2025 · Window: 1 May 2024 – 1 May 2025" in english
    )
    past_web.cookies.clear()
    admin_csrf = sign_in(past_web, ADMIN)
    briefing = past_web.post("/briefings", data={"country": "US", "csrf_token": admin_csrf})
    assert briefing.status_code == 200, briefing.text
    assert "报告期: 2025-05 (2025年5月1日 – 2025年5月31日) · 数据截至: 2025年6月30日" in (
        briefing.text
    )  # the last full month before the data's day, not before today
