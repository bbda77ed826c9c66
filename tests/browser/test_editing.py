"""Editing in a real browser: the profile (a rejected value, then a valid one), a new
subscription (its volume estimate shown before it is saved), and a form whose CSRF token
was tampered with (the 403 page). With ``IPRWATCH_SCREENSHOTS_DIR`` set, the states in
between are saved as screenshots too (see ``test_screenshots``)."""

from __future__ import annotations

import os
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_screenshots import REPO

EXPORTER = "exporter@acme.example"


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("IPRWATCH_SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=str(REPO / folder / f"{name}.png"), full_page=True)


def _script_error(message: Any) -> bool:
    return bool(message.type == "error" and not message.text.startswith("Failed to load"))


def test_exporter_corrects_a_rejected_export_share_and_saves_the_profile(page: Any) -> None:
    problems: list[str] = []  # a 422 answer and the favicon's 404 are logged as "Failed to load"
    page.on("console", lambda m: problems.append(m.text) if _script_error(m) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, EXPORTER)
    page.get_by_role("link", name="企业档案").click()
    page.get_by_role("link", name="编辑企业档案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("编辑企业档案")
    share = page.get_by_role("textbox", name="占出口收入比例（%）").first
    share.fill("140")
    page.get_by_role("textbox", name="产品").nth(1).fill("钠离子电池")
    page.get_by_role("button", name="保存企业档案").click()
    expect(page.get_by_role("alert")).to_contain_text("尚未保存任何内容")
    expect(share).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-destinations-0-export_share")).to_have_text(
        "请输入 0 到 100 之间的百分数。"
    )
    expect(page.get_by_role("textbox", name="产品").nth(1)).to_have_value("钠离子电池")
    _shot(page, "profile-edit-error-zh")
    share.fill("45")
    page.get_by_role("button", name="保存企业档案").click()
    expect(page).to_have_url(re.compile(r"/enterprises/wuxi-battery\?saved=1$"))
    expect(page.get_by_role("status")).to_contain_text("企业档案已保存")
    expect(page.locator("main")).to_contain_text("钠离子电池")
    expect(page.locator("ul.meters")).to_contain_text("45%")
    assert problems == [], "no script error or content-policy violation on the way"


def test_exporter_creates_a_subscription_after_seeing_its_volume_estimate(page: Any) -> None:
    sign_in(page, EXPORTER)
    page.goto("/subscriptions?lang=en")
    page.get_by_role("link", name="New subscription").click()
    page.get_by_label("Name", exact=True).fill("Weekly 337 summary")
    page.get_by_label("Minimum severity").select_option("high")
    page.get_by_label("Frequency").select_option("weekly")
    page.get_by_label("Channels").fill("mailto://legal@acme.example")
    page.get_by_label("Owner contact (for delivery problems)").fill("mailto://ops@acme.example")
    page.get_by_role("button", name="Estimate volume, then save").click()
    estimate = page.locator("#estimate")
    expect(estimate).to_contain_text(re.compile(r"Over the last 100 days .* \d+ alerts"))
    _shot(page, "subscription-estimate-en")
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscription created")
    expect(page.locator("main code").first).to_contain_text("/api/v1/feeds/")
    page.get_by_role("link", name="Back to the subscriptions").click()
    row = page.locator("tr", has_text="Weekly 337 summary")
    expect(row).to_contain_text("Weekly digest")
    row.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("status")).to_contain_text("Subscription paused")
    expect(page.locator("tr", has_text="Weekly 337 summary")).to_contain_text("Paused")


def test_a_tampered_csrf_token_gets_the_403_page(page: Any) -> None:
    sign_in(page, EXPORTER)
    page.goto("/enterprises/wuxi-battery/edit")
    page.locator("form.edit input[name=csrf_token]").evaluate("e => { e.value = 'forged'; }")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="保存企业档案").click()
    assert answer.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("表单已过期")
    expect(page.get_by_role("link", name="返回表单（重新加载）")).to_be_visible()
    expect(page.locator("main")).to_contain_text("表单已过期")
    _shot(page, "forbidden-csrf-zh")
