"""The weekly review counts people who clicked (a link's uniques) and shows clicks beside them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import suo
from suo.community import Community, ContentItem, ContentLibrary, Engagement, weekly_review

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
WEEK = date(2026, 11, 23)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
G = Community(name="福利群", id="g")


@pytest.fixture
def env(store: Any) -> tuple[ContentLibrary, Any]:
    shortener = suo.Shortener(store, clock=lambda: T0)
    return ContentLibrary(store, shortener, clock=lambda: T0), shortener


def item(i: str) -> ContentItem:
    return ContentItem(title=f"t{i}", category="activation", id=i)


def test_re_clicks_by_few_people_do_not_earn_a_boost() -> None:
    rows = [
        (item("few"), Engagement(1000, clicks=300, people=40)),
        (item("many"), Engagement(1000, clicks=200, people=200)),
        (item("mid"), Engagement(1000, clicks=120, people=120)),
    ]
    review = weekly_review(rows)
    by_id = {r.item_id: r for r in review.rows}
    # By clicks "few" would be the best item; by people it is the worst.
    assert review.decisions() == {"few": "stop", "many": "boost", "mid": "keep"}
    assert (by_id["few"].clicks, by_id["few"].people, by_id["few"].actions) == (300, 40, 40)
    assert by_id["few"].rate == pytest.approx(0.04)
    assert by_id["few"].baseline == pytest.approx(360 / 3000)
    assert "300 clicks by 40 people" in by_id["few"].why
    assert "clicks by" not in by_id["many"].why
    # Without people the same clicks are counted as before.
    by_clicks = weekly_review([(i, Engagement(e.impressions, clicks=e.clicks)) for i, e in rows])
    assert by_clicks.decisions()["few"] == "boost"
    assert {r.people for r in by_clicks.rows} == {None}


def test_text_and_html_show_clicks_and_people() -> None:
    review = weekly_review(
        [(item("a"), Engagement(500, clicks=90, people=60)), (item("b"), Engagement(500, clicks=9))]
    )
    text = review.to_text()
    header = text.splitlines()[1].split()
    assert header[:3] == ["decision", "clicks", "people"]
    rows = {line.split("  ")[-2].strip(): line.split() for line in text.splitlines()[2:]}
    assert [r[1:3] for r in rows.values()] == [["90", "60"], ["9", "-"]]
    html = review._repr_html_()
    assert "<th>clicks</th><th>people</th>" in html
    assert "<td>90</td><td>60</td>" in html


def test_library_review_reads_people_of_the_week(env: tuple[ContentLibrary, Any]) -> None:
    lib, shortener = env
    loyal = lib.add(G, "few people, many clicks", "conversion", url="https://example.com/a")
    broad = lib.add(G, "many people", "conversion", url="https://example.com/b")
    for n in range(60):  # 6 people, 10 clicks each
        shortener.resolve(loyal.link_code, user_agent=CHROME, ip=f"203.0.113.{n % 6}", now=T0)
    for n in range(30):  # 30 people once
        shortener.resolve(broad.link_code, user_agent=CHROME, ip=f"198.51.100.{n}", now=T0)
    shortener.resolve(broad.link_code, user_agent=BOT, ip="192.0.2.1", now=T0)  # not a person
    # The same person the next day has another visitor id: counted again, as uniques are.
    shortener.resolve(
        loyal.link_code, user_agent=CHROME, ip="203.0.113.0", now=T0 + timedelta(days=1)
    )
    # Outside the week: not counted.
    shortener.resolve(
        broad.link_code, user_agent=CHROME, ip="198.51.100.99", now=T0 + timedelta(days=8)
    )
    assert lib.week_people(loyal, WEEK) == 7
    assert lib.week_people(broad, WEEK) == 30
    review = lib.review(G, {loyal.id: Engagement(300), broad.id: Engagement(300)}, week_start=WEEK)
    rows = {r.item_id: r for r in review.rows}
    assert (rows[loyal.id].clicks, rows[loyal.id].people) == (61, 7)
    assert (rows[broad.id].clicks, rows[broad.id].people) == (30, 30)
    assert review.decisions() == {loyal.id: "stop", broad.id: "boost"}


def test_people_unknown_without_ips_or_events(env: tuple[ContentLibrary, Any]) -> None:
    lib, shortener = env
    a = lib.add(G, "no ip", "conversion", url="https://example.com/a")
    b = lib.add(G, "counts only", "conversion", url="https://example.com/b")
    shortener.update(b.link_code, tracking="counts")
    shortener.resolve(a.link_code, user_agent=CHROME, now=T0)
    shortener.resolve(b.link_code, user_agent=CHROME, ip="203.0.113.1", now=T0)
    assert lib.week_people(a, WEEK) is None
    assert lib.week_people(b, WEEK) is None
    review = lib.review(G, {a.id: Engagement(100), b.id: Engagement(100)}, week_start=WEEK)
    rows = {r.item_id: r for r in review.rows}
    assert (rows[a.id].clicks, rows[a.id].people, rows[a.id].actions) == (1, None, 1)
    assert rows[b.id].people is None


def test_engaged_never_counts_more_people_than_clicks() -> None:
    assert Engagement(100, clicks=5, people=9).engaged == 5
    assert Engagement(100, people=9, shares=1).engaged == 10
    assert Engagement(100, clicks=5, reactions=2).engaged == 7
