"""Content items, tracked links, the asset library and the weekly review."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import suo
from suo.community import (
    AssetKind,
    Community,
    ContentCategory,
    ContentItem,
    ContentLibrary,
    Engagement,
    Member,
    ProductionMode,
    weekly_review,
    wilson_interval,
)
from suo.errors import CommunityError, InvalidInput, NotFound

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.42(0x18002a2c) NetType/WIFI"
)
CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


@pytest.fixture
def env() -> tuple[Any, ContentLibrary, Any]:
    store = suo.open_store("memory://")
    shortener = suo.Shortener(store, clock=lambda: T0)
    return store, ContentLibrary(store, shortener, clock=lambda: T0), shortener


G = Community(name="福利群", id="g")


def test_category_and_mode_labels() -> None:
    assert [c.label("zh") for c in ContentCategory] == ["促活", "转化", "品牌"]
    assert [m.value for m in ProductionMode] == ["original", "repost", "ugc"]
    assert ProductionMode.REPOST.label("zh") == "转载"


def test_repost_needs_source_and_ugc_needs_member_author(env: Any) -> None:
    store, lib, _ = env
    with pytest.raises(InvalidInput, match="source"):
        lib.add(G, "转载文", "brand", mode="repost")
    assert lib.add(G, "转载文", "brand", mode="repost", source="https://mp.example/a").source
    with pytest.raises(InvalidInput, match="author"):
        lib.add(G, "晒单", "activation", mode="ugc")
    with pytest.raises(CommunityError, match="not a member"):
        lib.add(G, "晒单", "activation", mode="ugc", author="stranger")
    store.add_member("g", Member(id="fan"), capacity=None)
    item = lib.add(G, "晒单", "activation", mode="ugc", author="fan")
    assert item.author == "fan"
    with pytest.raises(InvalidInput, match="unknown content category 'ads'"):
        lib.add(G, "x", "ads")


def test_tracked_link_counts_clicks_per_platform(env: Any) -> None:
    _store, lib, shortener = env
    item = lib.add(G, "双11攻略", "conversion", url="https://example.com/guide", tags=["双11"])
    assert item.link_code is not None
    assert shortener.get(item.link_code).target == "https://example.com/guide"
    assert f"content:{item.id}" in shortener.get(item.link_code).tags
    for ua in (WECHAT_UA, WECHAT_UA, CHROME_UA):
        shortener.resolve(item.link_code, user_agent=ua, now=T0)
    assert lib.clicks(item) == {"wechat": 2, "browser": 1}
    assert lib.week_clicks(item, date(2026, 11, 23)) == 3
    assert lib.week_clicks(item, date(2026, 11, 30)) == 0
    assert lib.get(G, item.id) == item
    with pytest.raises(NotFound):
        lib.get(G, "missing")
    no_link = lib.add(G, "早安", "activation")
    assert lib.clicks(no_link) == {}


def test_items_and_assets_are_searchable_by_tag(env: Any) -> None:
    _store, lib, _ = env
    a = lib.add(G, "抽奖", "activation", tags=["抽奖", "周一"])
    lib.add(G, "新品", "brand", tags=["新品"])
    assert [i.id for i in lib.items(G, tag="抽奖")] == [a.id]
    assert [i.title for i in lib.items(G, category="brand")] == ["新品"]
    lib.add_asset(G, "title", "三个技巧让你省一半", tags=["省钱"])
    lib.add_asset(G, "qa", "怎么退货？", answer="7 天无理由", tags=["售后", "省钱"])
    lib.add_asset(G, "visual", "海报", uri="https://cdn.example.com/p.png", tags=["双11"])
    assert sorted(x.text for x in lib.assets(G, tag="省钱")) == ["三个技巧让你省一半", "怎么退货？"]
    assert [x.answer for x in lib.assets(G, tag="省钱", kind=AssetKind.QA)] == ["7 天无理由"]
    assert lib.assets(G, tag="nothing") == []
    with pytest.raises(InvalidInput, match="answer"):
        lib.add_asset(G, "qa", "问？")
    with pytest.raises(InvalidInput, match="uri"):
        lib.add_asset(G, "visual", "图")


def test_url_needs_a_shortener() -> None:
    lib = ContentLibrary("memory://")
    with pytest.raises(InvalidInput, match="shortener"):
        lib.add(G, "x", "brand", url="https://example.com/")


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_interval_brackets_the_rate(k: int, extra: int) -> None:
    n = k + extra
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    lo2, _ = wilson_interval(min(k + 1, n), n)
    assert lo2 >= lo - 1e-12  # one more success never lowers the bound


def test_wilson_edge_cases() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(InvalidInput):
        wilson_interval(5, 3)


def test_review_boost_keep_stop_with_numbers() -> None:
    def item(i: str, cat: str) -> ContentItem:
        return ContentItem(title=f"t{i}", category=cat, id=i)

    rows = [
        (item("a", "activation"), Engagement(1000, clicks=200, reactions=100)),  # 30%
        (item("b", "activation"), Engagement(1000, clicks=100, reactions=50)),  # 15%
        (item("c", "activation"), Engagement(1000, clicks=30, shares=20)),  # 5%
        (item("d", "activation"), Engagement(10, clicks=9)),  # too few impressions
        (item("e", "brand"), Engagement(500, saves=25)),  # alone: its own baseline
    ]
    review = weekly_review(rows, week_start=date(2026, 11, 23))
    got = review.decisions()
    assert got == {"a": "boost", "b": "keep", "c": "stop", "d": "keep", "e": "keep"}
    by_id = {r.item_id: r for r in review.rows}
    assert by_id["a"].baseline == pytest.approx((300 + 150 + 50 + 9) / 3010)
    assert by_id["a"].lower > by_id["a"].baseline
    assert by_id["c"].upper < by_id["c"].baseline
    assert "impressions" in by_id["d"].why
    assert [r.item_id for r in review.rows] == ["a", "b", "c", "e", "d"]
    text = review.to_text()
    assert "boost" in text
    assert "2026-11-23" in text
    html = review._repr_html_()
    assert html.count("<tr>") == 6
    assert "促活" in html


def test_library_review_reads_week_clicks(env: Any) -> None:
    _store, lib, shortener = env
    good = lib.add(G, "好内容", "conversion", url="https://example.com/good")
    bad = lib.add(G, "差内容", "conversion", url="https://example.com/bad")
    for _ in range(60):
        shortener.resolve(good.link_code, user_agent=CHROME_UA, now=T0)
    for _ in range(2):
        shortener.resolve(bad.link_code, user_agent=CHROME_UA, now=T0)
    review = lib.review(
        G,
        {good.id: Engagement(200), bad.id: Engagement(200)},
        week_start=date(2026, 11, 23),
    )
    assert review.decisions() == {good.id: "boost", bad.id: "stop"}
    assert {r.item_id: r.actions for r in review.rows} == {good.id: 60, bad.id: 2}


def test_engagement_validates() -> None:
    with pytest.raises(InvalidInput, match="impressions"):
        Engagement(-1)
    assert Engagement(10, clicks=None, reactions=2).actions == 2
