"""The console fits a phone (390x844) and a laptop (1280x800) in both languages.

Every view is checked for horizontal overflow (nothing wider than the
viewport). With SUO_UPDATE_SCREENSHOTS=1 the create and links views are also
saved as docs/img/console-<view>-<lang>-<size>.png (palette PNGs, to keep
them small) for docs/console.md and docs/zh/console.md; the zh shots need a
CJK font in the system (Debian: fonts-wqy-microhei or fonts-noto-cjk).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from suo.shortener.live import LiveTarget

from .helpers import CHROME, GROUP, SHOP, WECHAT, expect, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def save_shot(page: Any, name: str) -> None:
    """Write a screenshot to docs/img as a 64-colour palette PNG (a few tens of KB)."""
    if os.environ.get("SUO_UPDATE_SCREENSHOTS") != "1":
        return
    from PIL import Image

    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    small = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    small.save(DOCS_IMG / f"console-{name}.png", optimize=True)


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def sized(browser: Any, request: pytest.FixtureRequest) -> Iterator[tuple[Any, str]]:
    width, height = SIZES[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        locale="en-US",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page, request.param
    finally:
        context.close()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def set_lang(page: Any, lang: str) -> None:
    if page.evaluate("document.documentElement.lang").startswith("zh") != (lang == "zh"):
        page.get_by_test_id("lang").click()


def test_views_fit_both_sizes_in_both_languages(
    sized: tuple[Any, str], served: SimpleNamespace
) -> None:
    page, size = sized
    s = served.app.shortener
    tag = "poster-" + size
    codes = []
    for i, path in enumerate(("item/42", "spring-sale", "vip/welcome")):
        link = s.shorten(f"https://shop.example.com/{path}", tags=[tag, "2026-spring"])
        for n in range(3 * (3 - i)):
            when = s.clock() - timedelta(days=(n * 5 + i) % 13, hours=n)
            ua = CHROME if n % 2 else WECHAT
            s.resolve(link.code, user_agent=ua, ip=f"10.5.{i}.{n}", now=when)
        codes.append(link.code)
    live = s.shorten_live([LiveTarget(GROUP, cap=200)], tags=[tag])

    sign_in(page, served)
    for lang in ("en", "zh"):
        set_lang(page, lang)
        page.goto(served.console + "#/create")
        page.get_by_test_id("target-url").fill(SHOP)
        for box in ("guide-wechat", "guide-qq", "allow-wechat", "allow-qq", "allow-browser"):
            page.get_by_test_id(box).check()
        assert fits(page), f"create ({lang}, {size}) is wider than the screen"
        save_shot(page, f"create-{lang}-{size}")

        page.goto(served.console + "#/links")
        page.get_by_test_id("tag-search").fill(tag)
        page.get_by_test_id("tag-go").click()
        for code in codes:
            page.get_by_test_id("clicks-" + code).wait_for()
        assert fits(page), f"links ({lang}, {size}) is wider than the screen"
        save_shot(page, f"links-{lang}-{size}")

        page.goto(served.console + "#/link/" + codes[0])
        page.get_by_test_id("by-day").check()
        expect(page.get_by_test_id("chart-time").locator("svg")).to_have_attribute(
            "data-total", "9"
        )
        assert fits(page), f"link page ({lang}, {size}) is wider than the screen"

        page.goto(served.console + "#/link/" + live.code)
        page.get_by_test_id("live-targets").locator("li").first.wait_for()
        assert fits(page), f"live code page ({lang}, {size}) is wider than the screen"

    # The advanced options (open, with A/B rows) and the Domains view fit too.
    for lang in ("en", "zh"):
        set_lang(page, lang)
        page.goto(served.console + "#/create")
        if not page.get_by_test_id("advanced").evaluate("d => d.open"):
            page.get_by_test_id("advanced").locator("summary").click()
        if not page.get_by_test_id("variants").locator(".variant").count():
            page.get_by_test_id("add-variant").click()
        page.get_by_test_id("variant-url-1").fill("https://shop.example.com/a-rather-long/path?x=1")
        assert fits(page), f"advanced options ({lang}, {size}) are wider than the screen"
        page.goto(served.console + "#/domains")
        expect(page.get_by_test_id("domains-msg")).not_to_be_empty()
        assert fits(page), f"domains ({lang}, {size}) is wider than the screen"
