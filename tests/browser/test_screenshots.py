"""Every main page, per role, in Chinese and English, renders in Chromium without sideways
scrolling, on a desktop and (the dashboards) on a phone.

The screenshots go to a temporary folder; to refresh ``docs/screenshots/`` run::

    IPRWATCH_SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveSite, sign_in

REPO = Path(__file__).resolve().parents[2]  # a relative folder is the repository's
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGES = [
    ("exporter@acme.example", "dashboard", "/alerts", True),
    ("exporter@acme.example", "alert", "/alerts/{alert}", False),
    ("exporter@acme.example", "profile", "/profile", False),
    ("exporter@acme.example", "subscriptions", "/subscriptions", False),
    ("exporter@acme.example", "profile-edit", "/enterprises/wuxi-battery/edit", True),
    ("exporter@acme.example", "subscription-new", "/subscriptions/new", True),
    ("exporter@acme.example", "search", "/search?q=battery", False),
    ("exporter@acme.example", "briefings", "/briefings", False),
    ("advisor@hengyuan.example", "advisor-enterprises", "/enterprises", True),
    ("advisor@hengyuan.example", "health-check", "/health-checks/{check}", False),
    ("alliance@battery.example", "chain", "/chain", True),
    ("alliance@battery.example", "sources", "/sources", False),
]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("IPRWATCH_SCREENSHOTS_DIR")
    target = REPO / folder if folder else tmp_path_factory.mktemp("screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _path(template: str, live_site: LiveSite) -> str:
    site = live_site.site
    return template.format(alert=site.named_alert_id, check=site.health_check_id)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("email", "name", "path", "phone"), PAGES)
def test_page_renders_without_sideways_scrolling(
    browser: Any,
    live_site: LiveSite,
    shots: Path,
    email: str,
    name: str,
    path: str,
    phone: bool,
    lang: str,
) -> None:
    for viewport in [DESKTOP, PHONE] if phone else [DESKTOP]:
        context = browser.new_context(
            base_url=live_site.url, viewport=viewport, is_mobile=viewport is PHONE
        )
        page = context.new_page()
        try:
            sign_in(page, email)
            url = _path(path, live_site)
            response = page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
            assert response is not None and response.status == 200
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= viewport["width"], f"{name} ({lang}) is {width}px wide"
            suffix = "-phone" if viewport is PHONE else ""
            page.screenshot(path=str(shots / f"{name}-{lang}{suffix}.png"), full_page=True)
        finally:
            context.close()
