"""``POST /conversions`` (``conversions:write``) and the funnel routes (``stats:read``)."""

from __future__ import annotations

from .helpers import CHROME, WECHAT, Api


def _click(api: Api, ua: str = CHROME) -> str:
    cid = api.s.resolve("shop", user_agent=ua).click_id
    assert cid is not None
    return cid


def test_track_over_http_is_idempotent(api: Api) -> None:
    api.s.shorten("https://shop.example/", alias="shop", click_ids=True)
    cid = _click(api)
    body = {"click_id": cid, "event": "purchase", "value": "19.90", "currency": "CNY",
            "external_id": "order-1"}  # fmt: skip
    first = api.call("POST", "/conversions", "conversions:write", json=body)
    assert first.status_code == 201, first.text
    assert first.json() == {"recorded": True, "click_id": cid, "event": "purchase",
                            "external_id": "order-1"}  # fmt: skip
    again = api.call("POST", "/conversions", "conversions:write", json=body)
    assert again.status_code == 200
    assert again.json()["recorded"] is False
    # admin implies the scope; other scopes do not
    join = {"click_id": cid, "event": "join"}
    assert api.call("POST", "/conversions", "admin", json=join).status_code == 201
    assert api.call("POST", "/conversions", "stats:read", json=join).status_code == 403
    conversions = api.s.funnel("shop", steps=("click", "join", "purchase")).counts()
    assert conversions == {"click": 1, "join": 1, "purchase": 1}


def test_unknown_click_id_and_bad_values_are_problems(api: Api) -> None:
    api.s.shorten("https://shop.example/", alias="shop", click_ids=True)
    cid = _click(api)
    r = api.call("POST", "/conversions", "conversions:write",
                 json={"click_id": "AAAAAAAAAAAAAAAAAAAAAA", "event": "join"})  # fmt: skip
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "no click" in r.json()["detail"]
    r = api.call("POST", "/conversions", "conversions:write",
                 json={"click_id": cid, "event": "purchase", "value": "1", "currency": "yu"})  # fmt: skip
    assert r.status_code in (400, 422)
    assert "ISO 4217" in r.text
    r = api.call("POST", "/conversions", "conversions:write",
                 json={"click_id": cid, "event": "join", "colour": "red"})  # fmt: skip
    assert r.status_code == 422
    assert api.s.funnel("shop").counts()["join"] == 0


def test_funnel_routes(api: Api) -> None:
    api.s.shorten("https://shop.example/", alias="shop", click_ids=True, tags=["camp"])
    ids = [_click(api, WECHAT), _click(api, WECHAT), _click(api, CHROME)]
    api.s.track(ids[0], "join")
    r = api.call("GET", "/links/shop/funnel?steps=click,join&by=platform", "stats:read")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(s["name"], s["count"]) for s in body["steps"]] == [("click", 3), ("join", 1)]
    groups = {g["key"]: [s["count"] for s in g["steps"]] for g in body["groups"]}
    assert groups == {"wechat": [2, 1], "browser": [1, 0]}
    assert body["steps"][1]["rate"] == 1 / 3
    tag = api.call("GET", "/tags/camp/funnel", "stats:read").json()
    assert [s["count"] for s in tag["steps"]] == [3, 1, 0]
    assert api.call("GET", "/links/nope/funnel", "stats:read").status_code == 404
    assert api.call("GET", "/links/shop/funnel?steps=join,click", "stats:read").status_code in (
        400,
        422,
    )


def test_links_made_over_http_can_have_click_ids(api: Api) -> None:
    r = api.call("POST", "/links", "links:write",
                 json={"url": "https://shop.example/", "alias": "web", "click_ids": True})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["click_ids"] is True
    d = api.s.resolve("web")
    assert d.click_id is not None
    assert d.location == f"https://shop.example/?suo_cid={d.click_id}"
    r = api.call("PATCH", "/links/web", "links:write", json={"click_ids": False})
    assert r.status_code == 200, r.text
    assert r.json()["click_ids"] is False
    assert api.s.resolve("web").click_id is None
    r = api.call("PATCH", "/links/web", "links:write", json={"click_ids": None})
    assert r.json()["click_ids"] is None
