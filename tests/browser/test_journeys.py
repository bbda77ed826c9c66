"""What people do in the web UI, in a real browser (headless Chromium) against the real app:
sign in, see an alert, open its evidence, acknowledge it, switch language, download a
briefing PDF; and what they must not see."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveSite, sign_in

EXPORTER = "exporter@acme.example"


def test_an_anonymous_visitor_is_sent_to_sign_in_and_then_to_the_dashboard(page: Any) -> None:
    page.goto("/alerts?status=all")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("电子邮箱").fill(EXPORTER)
    page.get_by_label("密码").fill("acme-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/alerts\?status=all$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的预警")
    expect(page.get_by_role("navigation")).to_contain_text("王敏")


def test_a_wrong_password_says_so_and_stays_on_the_form(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(EXPORTER)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("邮箱或密码错误。")


def test_exporter_sees_its_alerts_nearest_deadline_first_and_the_overdue_one_flagged(
    page: Any,
) -> None:
    sign_in(page, EXPORTER)
    rows = page.locator("table.alerts tbody tr")
    expect(rows.first).to_be_visible()
    deadlines = [d for d in rows.locator("time").evaluate_all("els => els.map(e => e.dateTime)")]
    assert deadlines == sorted(deadlines), "nearest deadline first"
    expect(page.locator("tr.overdue").first).to_contain_text("逾期")
    expect(page.locator(".card-overdue .n")).not_to_have_text("0")
    expect(page.locator("main")).not_to_contain_text("苏州电芯")  # another tenant


def test_exporter_opens_the_evidence_and_acknowledges_the_alert(page: Any) -> None:
    sign_in(page, EXPORTER)
    page.get_by_role("link", name=re.compile("337")).first.click()
    expect(page.get_by_role("heading", name="为什么提醒您")).to_be_visible()
    evidence = page.locator("#evidence")
    expect(evidence.locator("mark").first).to_be_visible()
    expect(evidence).to_contain_text("lithium-ion battery")
    expect(page.get_by_role("heading", name="建议措施")).to_be_visible()
    page.get_by_role("button", name="确认").click()
    follow_up = page.locator("#follow-up")
    expect(follow_up).to_contain_text("已确认 · 王敏")
    expect(page.locator("article.alert .status")).to_have_text("已确认")
    page.get_by_label("添加备注").fill("已转交法务部评估应诉。")
    page.get_by_role("button", name="保存备注").click()
    expect(follow_up.locator("ol.history")).to_contain_text("已转交法务部评估应诉。")


def test_language_switch_turns_the_ui_to_english_and_stays(page: Any) -> None:
    sign_in(page, EXPORTER)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My alerts")
    page.get_by_role("link", name="Search").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信息检索")


def test_briefing_pdf_downloads_as_a_pdf(page: Any, tmp_path: Path) -> None:
    sign_in(page, EXPORTER)
    page.get_by_role("link", name="国别简报").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").first.click()
    target = tmp_path / "briefing.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert target.stat().st_size > 10_000


def test_guessing_another_tenants_alert_shows_the_not_found_page(
    page: Any, live_site: LiveSite
) -> None:
    sign_in(page, EXPORTER)
    other = live_site.site.alert_ids["suzhou-cells"][0]
    response = page.goto(f"/alerts/{other}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")


def test_advisor_runs_a_health_check_and_annotates_it(page: Any) -> None:
    sign_in(page, "advisor@hengyuan.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("我服务的企业")
    row = page.locator("tr", has_text="常州储能系统有限公司")
    row.get_by_role("button", name="运行体检").click()
    expect(page).to_have_url(re.compile(r"/health-checks/\d+$"))
    page.get_by_label("意见").fill("建议尽快在美国布局储能电池专利。")
    page.get_by_role("button", name="保存意见").click()
    expect(page.locator("main")).to_contain_text("建议尽快在美国布局储能电池专利。")


def test_alliance_sees_counts_for_its_chain_and_no_enterprise(page: Any) -> None:
    sign_in(page, "alliance@battery.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("产业链看板")
    main = page.locator("main")
    expect(main).to_contain_text("337")
    for name in ("无锡某电池", "苏州电芯", "常州储能", "wuxi-battery"):
        expect(main).not_to_contain_text(name)


def test_dashboard_fits_a_phone_screen(browser: Any, live_site: LiveSite) -> None:
    context = browser.new_context(
        base_url=live_site.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = context.new_page()
    try:
        sign_in(phone, EXPORTER)
        width = phone.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px wide)"
        expect(phone.locator("table.alerts tbody tr").first).to_be_visible()
    finally:
        context.close()


def test_pages_run_their_vendored_script_without_errors_or_policy_violations(
    page: Any, live_site: LiveSite
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, EXPORTER)
    alert = live_site.site.alert_ids["wuxi-battery"][0]
    for path in ("/alerts", f"/alerts/{alert}", "/search?q=battery", "/profile"):
        page.goto(path)
        assert page.evaluate("typeof htmx") == "object", "htmx is served from /static"
    assert problems == []


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(page: Any) -> None:
    sign_in(page, EXPORTER)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("跳到正文")
    assert skip.evaluate("e => e.getBoundingClientRect().left") >= 0, "visible when focused"
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
