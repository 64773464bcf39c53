"""A real browser (headless Chromium) opens short links served by `suo serve`.

WeChat at a phone viewport gets the guide page (kept as a screenshot for the
docs with SUO_UPDATE_SCREENSHOTS=1); a desktop browser follows the redirect to
a target page served by this test. Chromium is Debian's (/usr/bin/chromium),
driven by Playwright; the test skips when it is missing, unless
SUO_REQUIRE_BROWSER=1 says it must be there.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGET_HOST = "landing.example.com"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def require_browser() -> None:
    if CHROMIUM.exists():
        return
    msg = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("SUO_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + "; SUO_REQUIRE_BROWSER=1 says it must be there")
    pytest.skip(msg)


class _Target(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Target reached</title><h1>Welcome to the sale</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def target_server() -> Iterator[int]:
    """The page a desktop visitor should land on, on a loopback port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def browser(target_server: int) -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    # The short link points at a public-looking host; Chromium resolves it to
    # the local target server, so nothing leaves the machine.
    rules = f"--host-resolver-rules=MAP {TARGET_HOST} 127.0.0.1:{target_server}"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, rules], headless=True
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def short_link(
    tmp_path_factory: pytest.TempPathFactory,
    suo_cli: Callable[..., str],
    serve_module: Callable[..., Any],
) -> str:
    """A link to the local target, made by `suo shorten`, served by `suo serve`."""
    store = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'links.db'}"
    code = suo_cli(
        "shorten", f"http://{TARGET_HOST}/welcome", "--policy", "anti-block", "--store", store
    ).split("\t")[0]  # CODE<TAB>SHORT_URL
    # A live code on the same store: its landing page shows a group's QR code.
    import suo

    s = suo.Shortener(store)
    s.shorten_live(
        ["https://weixin.qq.com/g/AbCdEfGh"], alias="group", title="福利群 Welfare group"
    )
    s.store.close()
    server = serve_module(store)
    return f"{server.url}/{code}"


def phone(browser: Any, user_agent: str) -> Any:
    return browser.new_context(
        user_agent=user_agent,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )


def keep_screenshot(page: Any, tmp_path: Path, name: str) -> None:
    """Screenshot to tmp; with SUO_UPDATE_SCREENSHOTS=1 also to docs/img/."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 1000
    if os.environ.get("SUO_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / name)


def test_wechat_on_a_phone_sees_the_guide_page(
    browser: Any, short_link: str, ua: SimpleNamespace, tmp_path: Path
) -> None:
    context = phone(browser, ua.wechat)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    response = page.goto(short_link, wait_until="load")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-language"] == "zh-CN"
    assert page.url == short_link  # not redirected
    text = page.inner_text("body") + page.title()
    assert "请在浏览器中打开" in text or "浏览器" in text
    # suo's CSP lists the hashes of the page's inline code: nothing was blocked,
    # and the page's script runs (the copy button answers).
    keep_screenshot(page, tmp_path, "web-wechat-guide.png")
    if page.locator("button").count():
        page.locator("button").first.click()
        page.wait_for_function("document.querySelector('[role=status]').textContent.length > 0")
    assert not [c for c in console if "Content Security Policy" in c], console
    context.close()


def test_live_code_landing_page_in_a_phone_browser(
    browser: Any, short_link: str, ua: SimpleNamespace, tmp_path: Path
) -> None:
    context = phone(browser, ua.wechat)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    response = page.goto(short_link.rsplit("/", 1)[0] + "/group", wait_until="load")
    assert response is not None
    assert response.status == 200
    assert page.locator("svg").count() >= 1  # the group's QR code, inline
    assert not [c for c in console if "Content Security Policy" in c], console
    keep_screenshot(page, tmp_path, "web-live-landing.png")
    # What a phone's scanner would read off the screen: the group's invite.
    from suo.shortener import qr

    assert qr.read(page.screenshot()) == ["https://weixin.qq.com/g/AbCdEfGh"]
    context.close()


def test_desktop_browser_lands_on_the_target(
    browser: Any, short_link: str, ua: SimpleNamespace
) -> None:
    context = browser.new_context(user_agent=ua.desktop, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    redirects: list[int] = []
    page.on("response", lambda r: redirects.append(r.status))
    page.goto(short_link, wait_until="load")
    assert page.url == f"http://{TARGET_HOST}/welcome"
    assert page.title() == "Target reached"
    assert page.inner_text("h1") == "Welcome to the sale"
    assert redirects[0] == 302
    context.close()
