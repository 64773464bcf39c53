"""The operator console at /console, driven in headless Chromium: create, language, errors.

Fixtures (``served``, ``browser``, ``page``) are in conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from suo.shortener import qr

from .helpers import CHROME, GROUP, SHOP, WECHAT, WEIBO, expect, png_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_contract_flow(page: Any, served: SimpleNamespace, tmp_path: Path) -> None:
    sign_in(page, served)
    page.get_by_test_id("qr-file").set_input_files(str(png_of(SHOP, tmp_path, "shop.png")))
    expect(page.get_by_test_id("target-url")).to_have_value(SHOP)
    for box in ("guide-wechat", "guide-qq", "allow-wechat", "allow-qq", "allow-browser"):
        page.get_by_test_id(box).check()
    page.get_by_test_id("create").click()
    short = page.get_by_test_id("short-url")
    short.wait_for(state="visible")
    short_url = short.inner_text().strip()
    assert short_url.startswith(served.url + "/")
    # The result shows what each visitor would get, and a QR to download.
    page.get_by_test_id("explain-browser").wait_for()
    assert SHOP in page.get_by_test_id("explain-browser").inner_text()
    assert page.get_by_test_id("qr-download").get_attribute("href").startswith("blob:")
    svg = page.get_by_test_id("qr-svg")
    assert svg.get_attribute("href").startswith("blob:")
    assert svg.get_attribute("download").endswith(".svg")

    with httpx.Client(timeout=10, follow_redirects=False) as http:
        wechat = http.get(short_url, headers={"User-Agent": WECHAT})
        assert wechat.status_code == 200
        assert "text/html" in wechat.headers["content-type"]
        assert http.get(short_url, headers={"User-Agent": WEIBO}).status_code == 403
        desktop = http.get(short_url, headers={"User-Agent": CHROME})
        assert desktop.status_code in (301, 302, 303, 307, 308)
        assert desktop.headers["location"] == SHOP


def test_the_page_is_served_with_a_strict_csp(served: SimpleNamespace) -> None:
    with httpx.Client(timeout=10, follow_redirects=False) as http:
        r = http.get(served.url + "/console")
        assert (r.status_code, r.headers["location"]) == (308, "console/")
        r = http.get(served.console)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "connect-src 'self'" in csp
        assert "img-src 'self' data: blob:" in csp
        assert "unsafe-inline" not in csp
        assert 'content="../api/v1/"' in r.text
        assert "<script>" not in r.text  # no inline script
        assert http.get(served.url + "/console/nope.py").status_code == 404


def test_language_toggle(page: Any, served: SimpleNamespace) -> None:
    page.goto(served.console)
    assert page.get_by_test_id("login").inner_text() == "Sign in"
    assert page.locator("label[for=api-key]").inner_text() == "API key"
    page.get_by_test_id("lang").click()
    assert page.get_by_test_id("login").inner_text() == "登录"
    assert page.locator("label[for=api-key]").inner_text() == "API 密钥"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.get_by_test_id("lang").click()
    assert page.get_by_test_id("login").inner_text() == "Sign in"


def test_chinese_by_default_for_a_chinese_browser(browser: Any, served: SimpleNamespace) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        pg = context.new_page()
        pg.goto(served.console)
        assert pg.get_by_test_id("login").inner_text() == "登录"
    finally:
        context.close()


def test_a_wrong_key_says_why(page: Any, served: SimpleNamespace) -> None:
    page.goto(served.console)
    page.get_by_test_id("api-key").fill("suo_wrong_key")
    page.get_by_test_id("login").click()
    msg = page.get_by_test_id("signin-msg")
    expect(msg).to_contain_text("Sign-in failed: ")
    text = msg.inner_text()
    assert text.startswith("Sign-in failed: ")
    assert len(text) > len("Sign-in failed: ") + 5  # the API's problem detail follows
    assert page.get_by_test_id("target-url").is_hidden()
    assert page.evaluate("sessionStorage.getItem('suo.console.key')") is None


def test_a_file_without_a_qr_says_so(page: Any, served: SimpleNamespace, tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    sign_in(page, served)
    page.get_by_test_id("qr-file").set_input_files(str(blank))
    expect(page.get_by_test_id("qr-msg")).to_have_class("msg bad")
    assert page.get_by_test_id("qr-msg").inner_text().startswith("No QR code found in this file")
    assert page.get_by_test_id("target-url").input_value() == ""


def test_a_wechat_group_qr_makes_a_live_code(
    page: Any, served: SimpleNamespace, tmp_path: Path
) -> None:
    sign_in(page, served)
    page.get_by_test_id("qr-file").set_input_files(str(png_of(GROUP, tmp_path, "group.png")))
    page.get_by_test_id("live-note").wait_for(state="visible")
    assert "Guide pages do not apply" in page.get_by_test_id("live-note").inner_text()
    assert page.get_by_test_id("cap").input_value() == "200"
    assert page.get_by_test_id("guide-wechat").is_disabled()
    page.get_by_test_id("create").click()
    short = page.get_by_test_id("short-url")
    short.wait_for(state="visible")
    code = short.inner_text().strip().rsplit("/", 1)[1]

    live = served.app.shortener.live(code)
    [target] = live.targets()
    assert (target.payload, target.cap) == (GROUP, 200)

    # The landing page shows that group's QR code: screenshot it and read it back.
    page.goto(short.get_attribute("href") or "")
    shot = page.screenshot()
    assert GROUP in qr.read(shot)
