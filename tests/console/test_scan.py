"""Scanning a QR code with the camera: Chromium's fake camera plays a y4m video of a QR.

The console sends camera frames to ``POST /api/v1/qr/decode`` until one
holds a QR code, then treats it like an uploaded image: a web URL fills the
target field, a WeChat group makes a live code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, GROUP, SHOP, expect, require_browser, sign_in, y4m_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def camera(video: Path) -> Iterator[Any]:
    """A page in a Chromium whose camera shows ``video`` (the permission prompt auto-accepted)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
            page = context.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def shop_camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from camera(y4m_of(SHOP, tmp_path_factory.mktemp("cam") / "shop.y4m"))


@pytest.fixture
def group_camera(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from camera(y4m_of(GROUP, tmp_path_factory.mktemp("cam") / "group.y4m"))


def test_scanning_a_web_qr_fills_the_target(shop_camera: Any, served: SimpleNamespace) -> None:
    page = shop_camera
    sign_in(page, served)
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("target-url")).to_have_value(SHOP)
    expect(page.get_by_test_id("qr-msg")).to_have_text("Found: " + SHOP)
    # The camera is off again once the code is read.
    expect(page.get_by_test_id("scanner")).to_be_hidden()
    assert page.evaluate("document.getElementById('scan-video').srcObject") is None
    page.get_by_test_id("create").click()
    short = page.get_by_test_id("short-url")
    short.wait_for(state="visible")
    code = short.inner_text().strip().rsplit("/", 1)[1]
    assert served.app.shortener.get(code).target == SHOP


def test_scanning_a_group_qr_makes_a_live_code(group_camera: Any, served: SimpleNamespace) -> None:
    page = group_camera
    sign_in(page, served)
    page.get_by_test_id("scan").click()
    page.get_by_test_id("live-note").wait_for(state="visible")
    page.get_by_test_id("create").click()
    short = page.get_by_test_id("short-url")
    short.wait_for(state="visible")
    code = short.inner_text().strip().rsplit("/", 1)[1]
    [target] = served.app.shortener.live(code).targets()
    assert (target.payload, target.cap) == (GROUP, 200)


def test_a_live_codes_page_adds_a_scanned_group(group_camera: Any, served: SimpleNamespace) -> None:
    from suo.shortener.live import LiveTarget

    s = served.app.shortener
    link = s.shorten_live([LiveTarget(GROUP + "_first", cap=200)])
    page = group_camera
    sign_in(page, served)
    page.goto(served.console + "#/link/" + link.code)
    expect(page.get_by_test_id("live-targets").locator("li")).to_have_count(1)
    page.get_by_test_id("live-scan").click()
    expect(page.get_by_test_id("live-msg")).to_contain_text("Added group #")
    expect(page.get_by_test_id("live-targets").locator("li")).to_have_count(2)
    assert [t.payload for t in s.live(link.code).targets()] == [GROUP + "_first", GROUP]
