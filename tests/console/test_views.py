"""The console's links list, a link's page (charts, edit, delete) and a live code's groups."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suo.errors import NotFound
from suo.shortener.live import LiveTarget

from .helpers import CHROME, GROUP, WECHAT, WEIBO, expect, png_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_edit(page: Any) -> None:
    if not page.locator("#edit-box").evaluate("d => d.open"):
        page.locator("#edit-box summary").click()


def visit(served: SimpleNamespace, code: str, ua: str, ip: str) -> None:
    served.app.shortener.resolve(code, user_agent=ua, ip=ip)


def test_links_list_searches_by_tag_and_shows_clicks_people_and_trend(
    page: Any, served: SimpleNamespace
) -> None:
    s = served.app.shortener
    tag = "spring-" + uuid.uuid4().hex[:6]
    a = s.shorten("https://shop.example.com/a", tags=[tag]).code
    b = s.shorten("https://shop.example.com/b", tags=[tag]).code
    other = s.shorten("https://shop.example.com/other", tags=["autumn"]).code
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        visit(served, a, CHROME, ip)
    visit(served, a, CHROME, "10.0.0.1")  # same person again: 4 clicks, 3 people

    sign_in(page, served)
    page.get_by_test_id("nav-links").click()
    page.get_by_test_id("tag-search").fill(tag)
    page.get_by_test_id("tag-go").click()
    expect(page.get_by_test_id("clicks-" + a)).to_have_text("Clicks 4")
    expect(page.get_by_test_id("people-" + a)).to_have_text("People 3")
    expect(page.get_by_test_id("clicks-" + b)).to_have_text("Clicks 0")
    expect(page.get_by_test_id("link-" + other)).to_have_count(0)
    # The trend is an SVG sparkline whose label carries the 14-day total.
    spark = page.locator(f"li[data-code='{a}'] svg.spark")
    assert spark.get_attribute("aria-label").endswith("visits in the last 14 days: 4")
    assert spark.locator("path").get_attribute("d").count("L") == 13  # 14 daily points

    page.get_by_test_id("tag-search").fill("no-such-tag-" + tag)
    page.get_by_test_id("tag-go").click()
    expect(page.get_by_test_id("links-msg")).to_have_text("No links with this tag.")


def test_a_links_page_charts_edits_and_deletes(page: Any, served: SimpleNamespace) -> None:
    s = served.app.shortener
    code = s.shorten("https://shop.example.com/page", tags=["x"]).code
    visit(served, code, CHROME, "10.1.0.1")
    visit(served, code, CHROME, "10.1.0.2")
    visit(served, code, WECHAT, "10.1.0.3")

    sign_in(page, served)
    page.goto(served.console + "#/link/" + code)
    expect(page.get_by_test_id("n-clicks")).to_have_text("3")
    expect(page.get_by_test_id("n-people")).to_have_text("3")
    chart = page.get_by_test_id("chart-time").locator("svg")
    expect(chart).to_have_attribute("data-total", "3")
    assert chart.locator("rect").count() == 48  # by hour: the last 48 hours
    page.get_by_test_id("by-day").check()
    expect(page.get_by_test_id("chart-time")).to_have_attribute("data-interval", "day")
    assert page.get_by_test_id("chart-time").locator("svg rect").count() == 30
    expect(page.get_by_test_id("chart-time").locator("svg")).to_have_attribute("data-total", "3")
    platforms = page.get_by_test_id("platform-bars")
    expect(platforms.locator("li[data-key=browser] .n")).to_have_text("2")
    expect(platforms.locator("li[data-key=wechat] .n")).to_have_text("1")
    expect(page.get_by_test_id("outcome-bars").locator("li[data-key=redirect] .n")).to_have_text(
        "3"
    )

    # Edit: a new target, a cap, tags, and a policy that denies Weibo.
    open_edit(page)
    expect(page.get_by_test_id("edit-url")).to_have_value("https://shop.example.com/page")
    page.get_by_test_id("edit-url").fill("https://shop.example.com/page2")
    page.get_by_test_id("edit-cap").fill("50")
    page.get_by_test_id("edit-tags").fill("x, y")
    for box in ("edit-guide-wechat", "edit-allow-wechat", "edit-allow-browser"):
        page.get_by_test_id(box).check()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    link = s.get(code)
    assert (link.target, link.max_clicks, link.tags) == (
        "https://shop.example.com/page2",
        50,
        ("x", "y"),
    )
    assert s.explain(code, user_agent=WEIBO).status == 403
    assert s.explain(code, user_agent=WECHAT).kind.value == "guide"
    expect(page.get_by_test_id("link-target")).to_have_text("https://shop.example.com/page2")
    # The boxes read back what was saved.
    assert page.get_by_test_id("edit-guide-wechat").is_checked()
    assert not page.get_by_test_id("edit-guide-qq").is_checked()

    # A bad target says why and changes nothing.
    page.get_by_test_id("edit-url").fill("javascript:alert(1)")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_contain_text("The API refused: ")
    assert s.get(code).target == "https://shop.example.com/page2"

    # Delete asks first; cancel keeps the link.
    page.get_by_test_id("delete").click()
    page.get_by_test_id("cancel-delete").click()
    assert s.get(code).code == code
    page.get_by_test_id("delete").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("links-msg")).to_have_text("Deleted " + code)
    assert re.search(r"#/links$", page.url)
    with pytest.raises(NotFound):
        s.get(code)


def test_the_group_flow(page: Any, served: SimpleNamespace, tmp_path: Path) -> None:
    """Upload a WeChat group QR -> a live code; its landing shows that group; add a second group."""
    from suo.shortener import qr

    sign_in(page, served)
    page.get_by_test_id("qr-file").set_input_files(str(png_of(GROUP, tmp_path, "group.png")))
    page.get_by_test_id("live-note").wait_for(state="visible")
    page.get_by_test_id("create").click()
    short = page.get_by_test_id("short-url")
    short.wait_for(state="visible")
    short_url = short.get_attribute("href") or ""
    code = short_url.rsplit("/", 1)[1]

    page.get_by_test_id("result-page").click()
    expect(page.get_by_test_id("live-box")).to_be_visible()
    first = page.get_by_test_id("live-targets").locator("li").first
    target_id = served.app.shortener.live(code).targets()[0].id
    expect(page.get_by_test_id(f"used-{target_id}")).to_have_text("used 0 / 200")
    assert page.get_by_test_id(f"fill-{target_id}").get_attribute("max") == "200"
    assert GROUP in first.inner_text()

    # A second group QR, uploaded from the live code's page.
    second = GROUP + "_two"
    page.get_by_test_id("live-cap").fill("100")
    page.get_by_test_id("live-file").set_input_files(str(png_of(second, tmp_path, "g2.png")))
    expect(page.get_by_test_id("live-msg")).to_contain_text("Added group #")
    expect(page.get_by_test_id("live-targets").locator("li")).to_have_count(2)
    targets = served.app.shortener.live(code).targets()
    assert [(t.payload, t.cap) for t in targets] == [(GROUP, 200), (second, 100)]

    # The landing page shows the first group's QR code (fill_first).
    landing = page.context.new_page()
    landing.goto(short_url)
    assert GROUP in qr.read(landing.screenshot())
    landing.close()

    # Retire the first group: the landing page now shows the second.
    page.get_by_test_id(f"retire-{target_id}").click()
    expect(page.get_by_test_id("live-msg")).to_have_text(f"Retired group #{target_id}")
    expect(page.locator(f"[data-testid=target-{target_id}]")).to_have_attribute(
        "data-state", "retired"
    )
    landing = page.context.new_page()
    landing.goto(short_url)
    assert second in qr.read(landing.screenshot())
    landing.close()


def test_nearly_full_or_expiring_groups_are_flagged(page: Any, served: SimpleNamespace) -> None:
    s = served.app.shortener
    soon = s.clock() + timedelta(hours=5)
    later = s.clock() + timedelta(days=5)
    link = s.shorten_live(
        [LiveTarget(GROUP + "_a", cap=10, expires_at=later),
         LiveTarget(GROUP + "_b", cap=10, expires_at=soon),
         LiveTarget(GROUP + "_c", cap=100, expires_at=later)],
    )  # fmt: skip
    for i in range(9):
        visit(served, link.code, WECHAT, f"10.2.0.{i}")
    a, b, c = (t.id for t in s.live(link.code).targets())
    sign_in(page, served)
    page.goto(served.console + "#/link/" + link.code)
    expect(page.get_by_test_id(f"used-{a}")).to_have_text("used 9 / 10")
    expect(page.get_by_test_id(f"warn-{a}")).to_have_text("Nearly full: add another group QR.")
    expect(page.get_by_test_id(f"warn-{b}")).to_have_text("Expires within 24 hours.")
    expect(page.get_by_test_id(f"warn-{c}")).to_have_count(0)


GUIDE_PLATFORMS = ["wechat", "wecom", "qq", "alipay", "weibo", "dingtalk", "douyin", "feishu"]
ALLOW_PLATFORMS = [*GUIDE_PLATFORMS, "browser"]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    guide=st.sets(st.sampled_from(GUIDE_PLATFORMS)),
    allow=st.sets(st.sampled_from(ALLOW_PLATFORMS)),
)
def test_the_platform_boxes_mean_what_they_say(
    page: Any, served: SimpleNamespace, guide: set[str], allow: set[str]
) -> None:
    """Any ticked guide/allow boxes, saved: each platform gets what the boxes say, and they read back."""
    from suo.antiblock import Platform
    from suo.antiblock.detect import Client

    s = served.app.shortener
    code = s.shorten("https://shop.example.com/boxes").code
    if not page.url.startswith(served.console):
        sign_in(page, served)
    page.goto(served.console + "#/link/" + code)
    expect(page.get_by_test_id("link-target")).to_have_text("https://shop.example.com/boxes")
    open_edit(page)
    for p in GUIDE_PLATFORMS:
        page.get_by_test_id("edit-guide-" + p).set_checked(p in guide)
    for p in ALLOW_PLATFORMS:
        page.get_by_test_id("edit-allow-" + p).set_checked(p in allow)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")

    policy = s.get(code).policy
    if not guide and not allow:
        assert policy is None or all(
            policy.decide(Client(platform=Platform(p))).action.value == "redirect"
            for p in ALLOW_PLATFORMS
        )
    else:
        assert policy is not None
        for p in [*ALLOW_PLATFORMS, "douyin", "line"]:
            want = "guide" if p in guide else ("deny" if allow and p not in allow else "redirect")
            assert policy.decide(Client(platform=Platform(p))).action.value == want, p
    page.reload()
    open_edit(page)
    for p in GUIDE_PLATFORMS:
        assert page.get_by_test_id("edit-guide-" + p).is_checked() == (p in guide)
    for p in ALLOW_PLATFORMS:
        assert page.get_by_test_id("edit-allow-" + p).is_checked() == (p in allow)
    s.delete(code)


def test_the_links_list_pages_with_more(page: Any, served: SimpleNamespace) -> None:
    s = served.app.shortener
    tag = "many-" + uuid.uuid4().hex[:6]
    made = s.shorten_many(
        [{"url": f"https://shop.example.com/{i}", "tags": [tag]} for i in range(23)]
    )
    sign_in(page, served)
    page.goto(served.console + "#/links")
    page.get_by_test_id("tag-search").fill(tag)
    page.get_by_test_id("tag-go").click()
    cards = page.get_by_test_id("links-list").locator(":scope > li")
    expect(cards).to_have_count(20)
    page.get_by_test_id("links-more").click()
    expect(cards).to_have_count(23)
    expect(page.get_by_test_id("links-more")).to_be_hidden()
    shown = cards.evaluate_all("lis => lis.map(li => li.dataset.code)")
    assert sorted(shown) == sorted(link.code for link in made)


def test_scanning_without_a_camera_says_so(page: Any, served: SimpleNamespace) -> None:
    sign_in(page, served)
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("qr-msg")).to_contain_text("The camera is not available: ")
    expect(page.get_by_test_id("scanner")).to_be_hidden()
