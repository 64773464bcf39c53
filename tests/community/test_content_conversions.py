"""The weekly content review shows the joins and purchases of each item's tracked link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import suo
from suo.community import Community, ContentLibrary, Engagement

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
WEEK = date(2026, 11, 23)
G = Community(name="福利群", id="g")


def test_review_has_conversion_columns(store: Any) -> None:
    shortener = suo.Shortener(store, clock=lambda: T0, click_id_tags=["content"], cache_ttl=0)
    lib = ContentLibrary(store, shortener, clock=lambda: T0)
    a = lib.add(G, "早报", "conversion", url="https://shop.example/a")
    b = lib.add(G, "抽奖", "conversion", url="https://shop.example/b")
    assert a.link_code is not None
    assert b.link_code is not None
    ids = [shortener.resolve(a.link_code, now=T0).click_id for _ in range(5)]
    late = shortener.resolve(a.link_code, now=T0 + timedelta(days=8)).click_id
    for cid in ids[:3]:
        shortener.track(cid, "join")
    shortener.track(ids[0], "purchase", external_id="o-1")
    shortener.track(ids[4], "purchase", external_id="o-2")  # bought without joining
    shortener.track(late, "join")  # a click of the next week
    shortener.resolve(b.link_code, now=T0)
    assert lib.week_conversions(a, WEEK) == {"joins": 3, "purchases": 2}
    review = lib.review(G, {a.id: Engagement(100), b.id: Engagement(100)}, week_start=WEEK)
    rows = {r.item_id: r for r in review.rows}
    assert (rows[a.id].clicks, rows[a.id].joins, rows[a.id].purchases) == (5, 3, 2)
    assert (rows[b.id].clicks, rows[b.id].joins, rows[b.id].purchases) == (1, 0, 0)
    text = review.to_text()
    assert text.splitlines()[1].split()[:5] == ["decision", "clicks", "people", "joins", "buys"]
    line = next(x for x in text.splitlines() if "早报" in x)
    assert line.split()[1:5] == ["5", "-", "3", "2"]
    assert "<th>joins</th><th>purchases</th>" in review._repr_html_()
    # Numbers given by the caller win; without a week nothing is read.
    given = lib.review(G, {a.id: Engagement(100, clicks=9, joins=1, purchases=0)})
    assert (given.rows[0].joins, given.rows[0].purchases) == (1, 0)
    bare = lib.review(G, {a.id: Engagement(100, clicks=9)})
    assert (bare.rows[0].joins, bare.rows[0].purchases) == (None, None)
