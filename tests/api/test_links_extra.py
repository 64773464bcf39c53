"""QR images, stats, time series and explain of links and tags."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from suo.antiblock.policy import AccessPolicy
from suo.shortener import qr

from .helpers import CHROME, NOW, WECHAT, Api


def test_qr_png_and_svg(api: Api) -> None:
    api.s.shorten("https://example.com/", alias="q")
    r = api.call("GET", "/links/q/qr", "links:read")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG")
    assert qr.read(r.content) == ["https://s.example/q"]
    r = api.call("GET", "/links/q/qr?format=svg&scale=2&border=1&error=H")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg")
    small = api.call("GET", "/links/q/qr?scale=2&border=0").content
    big = api.call("GET", "/links/q/qr?scale=10").content
    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(big)) as b:
        assert a.width < b.width


def test_qr_errors(api: Api) -> None:
    assert api.call("GET", "/links/nope/qr").status_code == 404
    api.s.shorten("https://example.com/", alias="q")
    for bad in ("format=gif", "scale=0", "scale=41", "border=17", "error=X"):
        r = api.call("GET", f"/links/q/qr?{bad}")
        assert r.status_code == 422, bad
        assert r.headers["content-type"].startswith("application/problem+json")
    assert api.call("GET", "/links/q/qr", "stats:read").status_code == 403


def _visits(api: Api) -> None:
    for alias in ("a", "b"):
        api.s.shorten("https://example.com/", alias=alias, tags=["spring"])
    api.s.resolve("a", user_agent=WECHAT, ip="203.0.113.1", now=NOW - timedelta(hours=2))
    api.s.resolve("a", user_agent=CHROME, ip="203.0.113.2", now=NOW - timedelta(hours=1))
    api.s.resolve("b", user_agent=WECHAT, ip="203.0.113.3", now=NOW - timedelta(hours=1))


def test_link_and_tag_stats(api: Api) -> None:
    _visits(api)
    r = api.call("GET", "/links/a/stats", "stats:read")
    assert r.status_code == 200, r.text
    st = r.json()
    assert (st["code"], st["clicks"], st["visits"], st["bots"], st["uniques"]) == ("a", 2, 2, 0, 2)
    assert st["by_outcome"] == {"redirect": 2}
    assert set(st["by_platform"]) == {"wechat", "browser"}
    tag = api.call("GET", "/tags/spring/stats", "stats:read").json()
    assert (tag["code"], tag["clicks"]) == ("tag:spring", 3)
    assert api.call("GET", "/tags/none/stats").json()["clicks"] == 0
    assert api.call("GET", "/links/nope/stats").status_code == 404
    assert api.call("GET", "/links/a/stats", "links:read").status_code == 403


def test_timeseries(api: Api) -> None:
    _visits(api)
    r = api.call("GET", "/links/a/timeseries?interval=hour", "stats:read")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2
    assert body["rows"] == [
        ["2026-12-01T07:00:00+00:00", None, 1],
        ["2026-12-01T08:00:00+00:00", None, 1],
    ]
    r = api.call("GET", "/tags/spring/timeseries?interval=day&by=platform&tz=Asia/Shanghai")
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [
        ["2026-12-01T00:00:00+08:00", "browser", 1],
        ["2026-12-01T00:00:00+08:00", "wechat", 2],
    ]
    assert r.json()["tz"] == "Asia/Shanghai"
    # a window that misses the visits
    r = api.call(
        "GET",
        "/links/a/timeseries",
        params={"start": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z"},
    )
    assert r.json()["rows"] == []


def test_timeseries_errors(api: Api) -> None:
    _visits(api)
    assert api.call("GET", "/links/nope/timeseries").status_code == 404
    for bad in ("interval=week", "by=colour", "tz=Mars/Base", "start=2026-11-01T00:00:00"):
        r = api.call("GET", f"/links/a/timeseries?{bad}")
        assert r.status_code == 422, bad
    r = api.call(
        "GET",
        "/links/a/timeseries",
        params={"start": "2026-12-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"},
    )
    assert r.status_code == 422
    assert "start must be before end" in r.json()["detail"]


def test_explain_records_nothing(api: Api) -> None:
    api.s.shorten(
        "https://example.com/x", alias="e", max_clicks=1, policy=AccessPolicy.anti_block()
    )
    before = api.call("GET", "/links/e/stats").json()
    r = api.call("POST", "/links/e/explain", "links:read", json={"user_agent": CHROME})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["kind"], out["status"], out["location"]) == (
        "redirect",
        302,
        "https://example.com/x",
    )
    assert out["trace"][-1] == "no rule matched -> default redirect"
    assert out["client"]["platform"] == "browser"
    for _ in range(3):  # a cap of 1 would be used up by a counted visit
        assert (
            api.call("POST", "/links/e/explain", json={"user_agent": CHROME}).json()["kind"]
            == "redirect"
        )
    assert api.call("GET", "/links/e/stats").json() == before
    out = api.call(
        "POST", "/links/e/explain", json={"user_agent": WECHAT, "accept_language": "zh-CN"}
    ).json()
    assert out["client"]["platform"] == "wechat"
    assert (out["kind"], out["status"], out["lang"], out["location"]) == ("guide", 200, "zh", None)
    assert "cn-in-app" in out["trace"][0]
    later = (NOW + timedelta(days=1)).isoformat()
    api.s.update("e", expires_at=NOW + timedelta(hours=1))
    out = api.call("POST", "/links/e/explain", json={"user_agent": CHROME, "now": later}).json()
    assert (out["kind"], out["status"]) == ("expired", 410)


def test_explain_live_code_takes_no_slot(api: Api) -> None:
    api.s.shorten_live(["https://weixin.qq.com/g/AAA"], alias="lv")
    out = api.call("POST", "/links/lv/explain", json={"user_agent": WECHAT}).json()
    assert out["target"] == "https://weixin.qq.com/g/AAA"
    assert api.s.live("lv").targets()[0].used == 0


def test_explain_errors(api: Api) -> None:
    assert api.call("POST", "/links/nope/explain", json={}).status_code == 404
    api.s.shorten("https://example.com/", alias="e")
    assert (
        api.call("POST", "/links/e/explain", json={"now": "2026-12-01T00:00:00"}).status_code == 422
    )
    assert api.call("POST", "/links/e/explain", json={"bogus": 1}).status_code == 422
    assert api.call("POST", "/links/e/explain", "stats:read", json={}).status_code == 403


def test_times_out_of_range_are_422(api: Api) -> None:
    api.s.shorten("https://example.com/", alias="e")
    r = api.call("POST", "/links/e/explain", json={"now": "0001-01-01T00:00:00Z"})
    assert r.status_code == 422
    r = api.call("GET", "/links/e/timeseries", params={"start": "0001-01-01T00:00:00Z"})
    assert r.status_code == 422
    r = api.call(
        "POST", "/live", json={"targets": [{"payload": "x", "expires_at": "9999-12-31T00:00:00Z"}]}
    )
    assert r.status_code == 422
