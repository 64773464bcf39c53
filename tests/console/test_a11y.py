"""Accessibility: axe-core finds no serious or critical violation on any console view, in en and zh.

axe-core comes from npm (``npm ci --prefix tests/console``; pinned in
tests/console/package-lock.json). It is injected into the page, which the
console's CSP would block, so this test's browser context bypasses the CSP
(``bypass_csp=True``); every other test runs under the real policy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from suo.shortener.live import LiveTarget

from .helpers import CHROME, GROUP, SHOP, expect, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def require_axe() -> None:
    if AXE.exists():
        return
    msg = f"axe-core is not installed at {AXE} (npm ci --prefix tests/console)"
    if os.environ.get("SUO_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + "; SUO_REQUIRE_BROWSER=1 says it must be there")
    pytest.skip(msg)


@pytest.fixture(params=[(390, 844), (1280, 800)], ids=["phone", "desktop"])
def axe_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    require_axe()
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-US", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def check_both_languages(page: Any, view: str) -> None:
    for lang in ("en", "zh"):
        current = page.evaluate("document.documentElement.lang")
        if current.startswith("zh") != (lang == "zh"):
            page.get_by_test_id("lang").click()
        page.wait_for_timeout(50)
        bad = violations(page)
        summary = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in bad
        ]
        assert not bad, f"{view} ({lang}): " + json.dumps(summary, ensure_ascii=False, indent=1)


def test_every_view_has_no_serious_violations(axe_page: Any, served: SimpleNamespace) -> None:
    page = axe_page
    s = served.app.shortener
    link = s.shorten(SHOP, tags=["a11y"])
    s.resolve(link.code, user_agent=CHROME, ip="10.9.0.1")
    live = s.shorten_live([LiveTarget(GROUP, cap=10)], tags=["a11y"])
    for i in range(9):
        s.resolve(live.code, user_agent=CHROME, ip=f"10.9.1.{i}")

    page.goto(served.console)
    check_both_languages(page, "sign-in")
    page.get_by_test_id("api-key").fill("wrong")
    page.get_by_test_id("login").click()
    expect(page.get_by_test_id("signin-msg")).not_to_be_empty()
    check_both_languages(page, "sign-in error")

    sign_in(page, served)
    check_both_languages(page, "create")
    # The advanced options disclosure, open, with A/B rows.
    page.get_by_test_id("advanced").locator("summary").click()
    page.get_by_test_id("add-variant").click()
    page.get_by_test_id("variant-url-0").wait_for()
    check_both_languages(page, "create: advanced options")
    page.get_by_test_id("variant-remove-1").click()
    page.get_by_test_id("variant-remove-0").click()
    page.get_by_test_id("target-url").fill(SHOP)
    page.get_by_test_id("guide-wechat").check()
    page.get_by_test_id("create").click()
    page.get_by_test_id("explain-browser").wait_for()
    check_both_languages(page, "result")

    page.goto(served.console + "#/links")
    page.get_by_test_id("tag-search").fill("a11y")
    page.get_by_test_id("tag-go").click()
    page.get_by_test_id("clicks-" + link.code).wait_for()
    check_both_languages(page, "links")

    page.goto(served.console + "#/link/" + link.code)
    page.get_by_test_id("platform-bars").wait_for()
    page.locator("#edit-box summary").click()
    page.get_by_test_id("delete").click()
    check_both_languages(page, "link page")

    ab = s.shorten(
        SHOP, tags=["a11y"], password="a11y-secret", expired_url="https://shop.example.com/over",
        pass_query=True, variants=[(SHOP, 1), ("https://shop.example.com/b", 1)],
    )  # fmt: skip
    page.goto(served.console + "#/link/" + ab.code)
    expect(page.get_by_test_id("link-protected")).to_be_visible()
    page.locator("#edit-box summary").click()
    page.get_by_test_id("edit-variant-url-1").wait_for()
    check_both_languages(page, "link page with password, A/B, pass-through")

    page.goto(served.console + "#/domains")
    expect(page.get_by_test_id("domains-msg")).not_to_be_empty()
    check_both_languages(page, "domains (none)")

    page.goto(served.console + "#/link/" + live.code)
    page.get_by_test_id("live-targets").locator("li").first.wait_for()
    check_both_languages(page, "live code page")


def test_domains_view_and_picker_have_no_serious_violations(
    axe_page: Any, served: SimpleNamespace
) -> None:
    page = axe_page
    s = served.app.shortener
    s.domains.add("go.a11y.example")
    try:
        sign_in(page, served)
        page.get_by_test_id("advanced").locator("summary").click()
        expect(page.get_by_test_id("domain")).to_be_visible()
        check_both_languages(page, "create: domain picker")
        page.goto(served.console + "#/domains")
        page.get_by_test_id("domain-go.a11y.example").wait_for()
        check_both_languages(page, "domains (one)")
    finally:
        s.domains.remove("go.a11y.example")
