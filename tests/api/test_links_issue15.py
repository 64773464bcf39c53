"""The management API for password links, A/B splits, pass-through and expired destinations."""

from __future__ import annotations

from .helpers import NOW, Api


def test_create_and_show_the_options(api: Api) -> None:
    r = api.call(
        "POST", "/links", "links:write",
        json={
            "url": "https://example.com/", "alias": "ab", "password": "Secret-Word-91",
            "expired_url": "https://example.com/over", "pass_query": "override",
            "variants": [{"url": "https://example.com/a", "weight": 70},
                         {"url": "https://example.com/b", "weight": 30}],
            "variants_until": (NOW.replace(year=NOW.year + 1)).isoformat(), "winner": 1,
        },
    )  # fmt: skip
    assert r.status_code == 201, r.text
    out = r.json()
    assert "Secret-Word-91" not in r.text
    assert "scrypt" not in r.text
    assert out["protected"] is True
    assert out["pass_query"] == "override"
    assert out["expired_url"] == "https://example.com/over"
    assert [(v["name"], v["weight"]) for v in out["variants"]] == [("A", 70), ("B", 30)]
    assert out["winner"] == 1
    assert api.call("GET", "/links/ab", "links:read").json()["protected"] is True
    # explain: the password gate, then the variant.
    r = api.call(
        "POST",
        "/links/ab/explain",
        "links:read",
        json={"password": "Secret-Word-91", "ip": "198.51.100.3"},
    )
    body = r.json()
    assert body["kind"] == "redirect"
    assert body["trace"][0] == "password: correct"
    assert body["trace"][1].startswith("variant A")
    r = api.call("POST", "/links/ab/explain", "links:read", json={})
    assert (r.json()["kind"], r.json()["status"]) == ("password", 401)


def test_patch_changes_and_clears(api: Api) -> None:
    api.s.shorten("https://example.com/", alias="p", password="x")
    r = api.call("PATCH", "/links/p", "links:write", json={"password": None, "pass_query": True})
    assert r.status_code == 200, r.text
    assert (r.json()["protected"], r.json()["pass_query"]) == (False, "merge")
    assert api.s.resolve("p", query="utm_source=a").location == "https://example.com/?utm_source=a"


def test_bad_options_are_problems(api: Api) -> None:
    for body in (
        {"url": "https://example.com/", "expired_url": "javascript:alert(1)"},
        {
            "url": "https://example.com/",
            "variants": [{"url": "https://example.com/a", "weight": 1}],
        },
        {"url": "https://example.com/", "winner": 1},
        {"url": "https://example.com/", "pass_query": "sometimes"},
    ):
        r = api.call("POST", "/links", "links:write", json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert api.s.links().links == ()


def test_domains_resource(api: Api) -> None:
    r = api.call(
        "POST",
        "/domains",
        "admin",
        json={"name": "Go.Brand.example", "expired_url": "https://b.example/over"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["name"], r.json()["base_url"]) == (
        "go.brand.example",
        "https://go.brand.example/",
    )
    assert (
        api.call("POST", "/domains", "links:write", json={"name": "x.example"}).status_code == 403
    )
    r = api.call(
        "POST", "/links", "links:write", json={"url": "https://example.com/", "alias": "s"}
    )
    listed = api.call("GET", "/domains", "links:read").json()["domains"]
    assert [d["name"] for d in listed] == ["go.brand.example"]
    assert api.s.resolve("s", host="go.brand.example").kind.value == "not_found"
    assert api.call("DELETE", "/domains/go.brand.example", "admin").status_code == 204
    assert api.call("DELETE", "/domains/go.brand.example", "admin").status_code == 404
    bad = api.call("POST", "/domains", "admin", json={"name": "not a host"})
    assert bad.status_code in (400, 422)
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_create_a_link_on_a_domain(api: Api) -> None:
    assert api.call("POST", "/domains", "admin", json={"name": "go.b.example"}).status_code == 201
    r = api.call(
        "POST", "/links", "links:write",
        json={"url": "https://example.com/b", "alias": "d", "domain": "go.b.example"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["short_url"] == "https://go.b.example/d"
    assert api.s.resolve("d", host="go.b.example").location == "https://example.com/b"
    bad = api.call(
        "POST",
        "/links",
        "links:write",
        json={"url": "https://example.com/", "domain": "no.example"},
    )
    assert bad.status_code in (400, 404, 422), bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_a_domain_with_pass_through(api: Api) -> None:
    r = api.call("POST", "/domains", "admin",
                 json={"name": "go.q.example", "pass_query": True, "click_ids": True})  # fmt: skip
    assert r.status_code == 201, r.text
    assert (r.json()["pass_query"], r.json()["click_ids"]) == ("merge", True)
    api.s.shorten("https://shop.example/p", alias="q", domain="go.q.example")
    d = api.s.resolve("q", host="go.q.example", query="utm_source=g7")
    assert d.click_id is not None
    assert d.location == f"https://shop.example/p?suo_cid={d.click_id}&utm_source=g7"
    bad = api.call("POST", "/domains", "admin", json={"name": "go.r.example", "pass_query": "x"})
    assert bad.status_code == 422
