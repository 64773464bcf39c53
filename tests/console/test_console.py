"""The operator console at /console, driven in headless Chromium.

The server is what ``suo serve --api`` builds (an :class:`~suo.web.ASGIApp`
with the management API under /api/v1, a memory store), run by uvicorn in a
thread on a free loopback port; an admin key is minted straight into its
store. Chromium is Debian's (/usr/bin/chromium), driven by Playwright; the
tests skip when it is missing, unless SUO_REQUIRE_BROWSER=1 says it must be there.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("limits")
pytest.importorskip("playwright")

import uvicorn

from suo.api import mint_key
from suo.cli.serve import build_app
from suo.shortener import qr

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI Language/zh_CN"
)
WEIBO = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 Weibo (iPhone14,2__weibo__13.1.0__iphone__os16.0)"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SHOP = "https://shop.example.com/item/42?from=poster"
GROUP = "https://weixin.qq.com/g/AbCdEf123_group"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_browser() -> None:
    if CHROMIUM.exists():
        return
    msg = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("SUO_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + "; SUO_REQUIRE_BROWSER=1 says it must be there")
    pytest.skip(msg)


@pytest.fixture(scope="module")
def served() -> Iterator[SimpleNamespace]:
    """``suo serve --api`` on a loopback port, and an admin key for it."""
    from suo.cli import build_parser

    port = free_port()
    argv = ["serve", "--store", "memory://", "--host", "127.0.0.1", "--port", str(port)]
    app = build_app(build_parser().parse_args([*argv, "--cache-ttl", "0", "--api"]))
    key, record, digest = mint_key(["admin"], name="console-test")
    app.shortener.store.save_key(record, digest)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
        proxy_headers=False, server_header=False, lifespan="on",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="suo-console-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    try:
        yield SimpleNamespace(url=url, console=f"{url}/console/", key=key, app=app)
    finally:
        server.should_exit = True
        thread.join(20)
        app.close()
        app.shortener.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US"
    )
    errors: list[str] = []
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(15_000)
    try:
        yield pg
        # A CSP violation (an inline script, a foreign host) would show up here.
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(page: Any, served: SimpleNamespace) -> None:
    page.goto(served.console)
    page.get_by_test_id("api-key").fill(served.key)
    page.get_by_test_id("login").click()
    page.get_by_test_id("target-url").wait_for(state="visible")


def png_of(text: str, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(qr.render(text, "png", scale=8))  # type: ignore[arg-type]
    return path


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
