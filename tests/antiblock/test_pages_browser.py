"""The pages as a person sees them: rendered by headless Chromium at a phone viewport.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright. The test skips
with a reason where it is missing, unless SUO_REQUIRE_BROWSER=1 says it must be
there. With SUO_UPDATE_SCREENSHOTS=1 it also refreshes docs/img/antiblock-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from suo.antiblock import OS, Client, Platform
from suo.antiblock.pages import deny_page, guide_page, preview_page, status_page
from suo.shortener.model import Link

pytestmark = [pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
TARGET = "https://shop.example.com/spring-sale?utm_source=wechat"
LINK = Link(code="sale", target=TARGET, created_at=datetime(2026, 11, 1, tzinfo=UTC),
            title="Spring sale: 30% off", description="Three days only, members first.")  # fmt: skip

PAGES: dict[str, Callable[[], str]] = {
    "guide-wechat-ios-zh": lambda: guide_page(
        Client(Platform.WECHAT, OS.IOS, is_mobile=True), TARGET, lang="zh"
    ),
    "guide-wechat-android-en": lambda: guide_page(
        Client(Platform.WECHAT, OS.ANDROID, is_mobile=True), TARGET, lang="en"
    ),
    "guide-qq-android-zh": lambda: guide_page(
        Client(Platform.QQ, OS.ANDROID, is_mobile=True), TARGET, lang="zh", try_browser=True
    ),
    "deny-zh": lambda: deny_page(Client(Platform.BROWSER, OS.WINDOWS), lang="zh"),
    "deny-en": lambda: deny_page(Client(Platform.BROWSER, OS.WINDOWS), lang="en"),
    "preview-en": lambda: preview_page(LINK, lang="en"),
    "expired-zh": lambda: status_page("expired", lang="zh"),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        msg = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("SUO_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + "; SUO_REQUIRE_BROWSER=1 says it must be there")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def render(browser: Any, page_html: str, *, shot: str | None = None) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        viewport={"width": 390, "height": 760},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("**/*", lambda route: route.abort())  # nothing may leave the page
    page.set_content(page_html, wait_until="load")
    page.wait_for_timeout(100)
    if shot and os.environ.get("SUO_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"antiblock-{shot}.png"))
    return context, page, requests


def test_wechat_guide_shows_the_steps_and_the_host(browser: Any) -> None:
    context, page, requests = render(
        browser, PAGES["guide-wechat-ios-zh"](), shot="guide-wechat-ios-zh"
    )
    try:
        body = page.inner_text("body")
        assert "在Safari中打开" in body
        assert "shop.example.com" in body
        assert page.is_visible("text=复制链接")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.click("#c")  # the copy button reports back, whichever clipboard path it took
        page.wait_for_function("document.getElementById('m').textContent.length > 0")
        assert requests == []
    finally:
        context.close()


@pytest.mark.parametrize("name", [n for n in PAGES if n != "guide-wechat-ios-zh"])
def test_every_page_renders_without_requests(browser: Any, name: str) -> None:
    context, page, requests = render(browser, PAGES[name](), shot=name)
    try:
        assert page.inner_text("h1").strip()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # the QQ page tries an intent: hand-off, which the browser reports as a navigation
        assert all(u.startswith("intent://") for u in requests), requests
    finally:
        context.close()
