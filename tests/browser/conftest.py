"""The real app served by uvicorn over a temporary site, and Debian's Chromium driven by
Playwright (never a downloaded browser: ``playwright install`` is not used).

Without ``/usr/bin/chromium`` (or the ``playwright`` package) the browser tests skip with
the reason; under ``IPRWATCH_REQUIRE_SERVICES=1`` (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser._site import PASSWORDS, Site, build_site
from tests.conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("IPRWATCH_CHROMIUM", "/usr/bin/chromium")


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"IPRWATCH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveSite:
    """The served site: its base URL and the ids the journeys need."""

    url: str
    site: Site
    data_dir: Path


def _serve(port: int) -> tuple[Any, threading.Thread]:
    import uvicorn

    from api.app import create_app

    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    return server, thread


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The app on a free port, over a migrated SQLite database holding ``build_site()``
    (per module: the settings it points at must not outlive the module's tests)."""
    from core.db import get_engine
    from core.migrate import upgrade
    from core.settings import get_settings

    root = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("IPRWATCH_DATA_DIR", str(root / "var"))
        patch.setenv("IPRWATCH_DATABASE_URL", f"sqlite:///{root / 'var' / 'iprwatch.db'}")
        patch.setenv("IPRWATCH_RATE_LIMIT_LOGIN", "1000/minute")
        for name in ("IPRWATCH_SEARCH_URL", "IPRWATCH_BROKER_URL", "IPRWATCH_SOURCES_DIR"):
            patch.delenv(name, raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            upgrade()
            site = build_site()
            port = _free_port()
            server, thread = _serve(port)
            yield LiveSite(url=f"http://127.0.0.1:{port}", site=site, data_dir=root / "var")
            server.should_exit = True
            thread.join(timeout=10)
        finally:
            get_settings.cache_clear()
            get_engine.cache_clear()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian (``/usr/bin/chromium``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_site: LiveSite) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a desktop viewport."""
    context = browser.new_context(
        base_url=live_site.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Any, email: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORDS[email])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)
