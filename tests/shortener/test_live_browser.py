"""The live-code landing page as a phone shows it: headless Chromium, then a QR decoder.

The page is rendered by Debian's Chromium (/usr/bin/chromium) through
Playwright at a phone viewport; the screenshot is decoded with suo's own
``qr.read`` and must give the chosen target's payload exactly. The test
skips with a reason where Chromium is missing, unless SUO_REQUIRE_BROWSER=1
says it must be there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import suo
from suo.decision import DecisionKind
from suo.shortener import LiveTarget, qr

pytestmark = [pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


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


@pytest.mark.parametrize(
    ("payload", "lang", "title", "heading"),
    [
        (
            "https://weixin.qq.com/g/AQYAAHxbc3VvLXRlc3Q",
            "zh-CN",
            "读书会 · 第 3 期",
            "读书会 · 第 3 期",
        ),
        ("https://qm.qq.com/cgi-bin/qm/qr?k=Zx9&jump_from=webapi", "en", None, "Scan to join"),
        ("WIFI:T:WPA;S:咖啡馆;P:p@ss;;", "zh-CN", '<img src=x onerror="alert(1)">', None),
    ],
)
def test_landing_page_scans_from_a_phone_screen(
    browser: Any, payload: str, lang: str, title: str | None, heading: str | None
) -> None:
    s = suo.Shortener("memory://", base_url="https://s.example/", clock=lambda: T0)
    s.shorten_live([LiveTarget(payload, cap=10)], alias="join", title=title)
    d = s.resolve("join", accept_language=lang)
    assert d.kind is DecisionKind.PAGE
    assert d.body is not None
    context = browser.new_context(
        viewport={"width": 390, "height": 700},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        requests: list[str] = []
        dialogs: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
        page.route("**/*", lambda route: route.abort())  # nothing may leave the page
        page.set_content(d.body, wait_until="load")
        page.wait_for_timeout(100)
        assert requests == []  # self-contained
        assert dialogs == []  # the title's markup stayed text
        box = page.locator(".qr svg").bounding_box()
        assert box is not None
        assert box["width"] >= 200  # scaled up by CSS through the viewBox
        assert box["y"] + box["height"] <= 700  # above the fold on a phone
        # a long-press on the code lands on the transparent PNG of the same code
        centre = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).className",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert centre == "press"
        if heading is not None:
            assert page.locator("h1").inner_text() == heading
        else:
            assert page.locator("h1").inner_text() == title
        shot = page.screenshot()
    finally:
        context.close()
    assert qr.read(shot) == [payload]
