"""``/live``: live codes from JSON and from uploaded group QR images."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from suo.shortener import qr

from .helpers import WECHAT, Api

GROUP = "https://weixin.qq.com/g/AQYAAFhQ3vLmKx9u"
GROUP2 = "https://weixin.qq.com/g/AQYAAB2nWp0Yk7ZT"


def png(data: str) -> bytes:
    out = qr.render(data, "png")
    assert isinstance(out, bytes)
    return out


def blank_png(width: int = 200, height: int = 200) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (width, height), 1).save(buf, "PNG")
    return buf.getvalue()


def test_upload_of_a_group_qr_makes_a_live_code_that_hands_out_its_url(api: Api) -> None:
    r = api.call(
        "POST", "/live", "live:write",
        files=[("files", ("group.png", png(GROUP), "image/png"))],
        data={"cap": "150", "alias": "club", "title": "Book club", "tags": "books,spring"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == "live/club"
    assert body["link"]["code"] == "club"
    assert body["link"]["live"] == "fill_first"
    assert body["link"]["tags"] == ["books", "spring"]
    assert body["link"]["title"] == "Book club"
    [target] = body["targets"]
    assert target["payload"] == GROUP
    assert (target["cap"], target["used"], target["state"]) == (150, 0, "active")
    assert target["expires_at"] is not None  # WeChat groups get 7 days
    decision = api.s.resolve("club", user_agent=WECHAT)
    assert decision.target.payload == GROUP
    got = api.call("GET", "/live/club", "links:read").json()
    assert got["targets"][0]["used"] == 1
    assert got["status"]["served"] == 1


def test_upload_of_several_images_keeps_their_order(api: Api) -> None:
    files = [
        ("files", ("a.png", png(GROUP), "image/png")),
        ("files", ("b.png", png(GROUP2), "image/png")),
    ]
    r = api.call("POST", "/live", files=files, data={"strategy": "round_robin"})
    assert r.status_code == 201, r.text
    assert [t["payload"] for t in r.json()["targets"]] == [GROUP, GROUP2]
    assert r.json()["status"]["strategy"] == "round_robin"


def test_json_live_code_with_caps_and_strings(api: Api) -> None:
    body: dict[str, Any] = {
        "targets": [{"payload": GROUP, "cap": 1}, "https://example.com/landing"],
        "alias": "j1",
        "strategy": "fill_first",
    }
    r = api.call("POST", "/live", "live:write", json=body)
    assert r.status_code == 201, r.text
    targets = r.json()["targets"]
    assert [t["payload"] for t in targets] == [GROUP, "https://example.com/landing"]
    assert api.s.resolve("j1", user_agent=WECHAT).target.payload == GROUP
    assert api.s.resolve("j1", user_agent=WECHAT).target.payload == "https://example.com/landing"
    got = api.call("GET", "/live/j1", "links:read").json()
    assert [t["state"] for t in got["targets"]] == ["full", "active"]
    assert got["status"]["full"] == 1
    assert got["status"]["remaining"] is None


def test_javascript_target_is_422_naming_the_scheme(api: Api) -> None:
    r = api.call("POST", "/live", json={"targets": ["javascript:alert(1)"]})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "javascript" in r.json()["detail"]
    assert api.s.links().links == ()


def test_non_qr_upload_is_422_with_the_reason(api: Api) -> None:
    r = api.call("POST", "/live", files=[("files", ("x.png", blank_png(), "image/png"))])
    assert r.status_code == 422
    assert "no QR code found" in r.json()["detail"]
    assert "x.png" in r.json()["detail"]
    r = api.call("POST", "/live", files=[("files", ("t.txt", b"hello", "text/plain"))])
    assert r.status_code == 422
    assert "not an image" in r.json()["detail"]
    assert api.s.links().links == ()


def test_one_bad_image_among_good_makes_nothing(api: Api) -> None:
    files = [
        ("files", ("a.png", png(GROUP), "image/png")),
        ("files", ("b.png", blank_png(), "image/png")),
    ]
    r = api.call("POST", "/live", files=files, data={"alias": "none"})
    assert r.status_code == 422
    assert "file 1 ('b.png')" in r.json()["detail"]
    assert api.call("GET", "/live/none").status_code == 404


def test_decompression_bomb_is_422(api: Api) -> None:
    bomb = blank_png(10_000, 10_000)  # 100 MP in a few kB
    assert len(bomb) < 100_000
    r = api.call("POST", "/live", files=[("files", ("bomb.png", bomb, "image/png"))])
    assert r.status_code == 422
    assert "too large to decode" in r.json()["detail"]


def test_too_big_upload_is_413(api: Api) -> None:
    big = b"\x89PNG" + b"\0" * (8 << 20)
    r = api.call("POST", "/live", files=[("files", ("big.png", big, "image/png"))])
    assert r.status_code == 413
    assert "8 MiB" in r.json()["detail"]
    assert api.s.links().links == ()


def test_upload_without_files_and_bad_fields(api: Api) -> None:
    r = api.call("POST", "/live", files=[("other", ("a.png", png(GROUP), "image/png"))])
    assert r.status_code == 422
    assert "files" in r.json()["detail"]
    r = api.call("POST", "/live", files=[("files", ("a.png", png(GROUP), "image/png"))],
                 data={"cap": "0"})  # fmt: skip
    assert r.status_code == 422
    assert "cap" in r.json()["detail"]
    r = api.call("POST", "/live", files=[("files", ("a.png", png(GROUP), "image/png"))],
                 data={"expires_at": "2026-12-01T10:00:00"})  # fmt: skip
    assert r.status_code == 422
    assert "expires_at" in r.json()["detail"]


def test_bad_json_and_media_type(api: Api) -> None:
    assert api.call("POST", "/live", json={"targets": []}).status_code == 422
    r = api.call(
        "POST", "/live", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    r = api.call("POST", "/live", content=b"x", headers={"content-type": "text/plain"})
    assert r.status_code == 415


def test_alias_taken_is_409(api: Api) -> None:
    api.s.shorten("https://example.com/", alias="taken")
    r = api.call("POST", "/live", json={"targets": [GROUP], "alias": "taken"})
    assert r.status_code == 409
    r = api.call("POST", "/live", files=[("files", ("a.png", png(GROUP), "image/png"))],
                 data={"alias": "taken"})  # fmt: skip
    assert r.status_code == 409


def test_add_replace_retire_targets(api: Api) -> None:
    assert (
        api.call(
            "POST", "/live", json={"targets": [{"payload": GROUP, "cap": 2}], "alias": "m"}
        ).status_code
        == 201
    )
    api.s.resolve("m", user_agent=WECHAT)
    r = api.call("POST", "/live/m/targets", "live:write", json={"payload": GROUP2, "cap": 5})
    assert r.status_code == 201, r.text
    second = r.json()
    assert (second["payload"], second["cap"], second["used"]) == (GROUP2, 5, 0)
    third = api.call("POST", "/live/m/targets", files=[("file", ("c.png", png("https://weixin.qq.com/g/THIRD"), "image/png"))],
                     data={"weight": "3"}).json()  # fmt: skip
    assert third["payload"] == "https://weixin.qq.com/g/THIRD"
    assert third["weight"] == 3
    first_id = api.call("GET", "/live/m").json()["targets"][0]["id"]

    # replace keeps the fill by default, reset zeroes it
    r = api.request_put(f"/live/m/targets/{first_id}", json={"payload": GROUP, "cap": 10})
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["cap"], r.json()["used"]) == (first_id, 10, 1)
    r = api.request_put(f"/live/m/targets/{first_id}",
                        files=[("file", ("n.png", png("https://weixin.qq.com/g/NEW"), "image/png"))],
                        data={"reset": "true", "cap": "200"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["payload"], r.json()["used"], r.json()["cap"]) == (
        "https://weixin.qq.com/g/NEW",
        0,
        200,
    )

    assert api.call("DELETE", f"/live/m/targets/{second['id']}", "live:write").status_code == 204
    assert api.call("DELETE", f"/live/m/targets/{second['id']}").status_code == 404
    got = api.call("GET", "/live/m").json()
    assert [t["state"] for t in got["targets"]] == ["active", "retired", "active"]
    assert got["status"]["retired"] == 1
    active = api.call("GET", "/live/m?include_retired=false").json()["targets"]
    assert [t["id"] for t in active] == [first_id, third["id"]]
    assert (
        api.request_put(f"/live/m/targets/{second['id']}", json={"payload": GROUP}).status_code
        == 404
    )


def test_not_found_and_plain_links(api: Api) -> None:
    assert api.call("GET", "/live/nope").status_code == 404
    api.s.shorten("https://example.com/", alias="plain")
    r = api.call("GET", "/live/plain")
    assert r.status_code == 404
    assert "plain short link" in r.json()["detail"]
    assert api.call("POST", "/live/nope/targets", json={"payload": GROUP}).status_code == 404
    assert api.call("DELETE", "/live/nope/targets/1").status_code == 404
    r = api.call(
        "POST", "/live/plain/targets", files=[("file", ("x.png", blank_png(), "image/png"))]
    )
    assert r.status_code == 422
    two = [
        ("file", ("a.png", png(GROUP), "image/png")),
        ("file", ("b.png", png(GROUP2), "image/png")),
    ]
    assert api.call("POST", "/live/plain/targets", files=two).status_code == 422


def test_scopes(api: Api) -> None:
    r = api.call("POST", "/live", "links:write", json={"targets": [GROUP]})
    assert r.status_code == 403
    assert "live:write" in r.json()["detail"]
    assert (
        api.call("POST", "/live", "live:write", json={"targets": [GROUP], "alias": "s"}).status_code
        == 201
    )
    assert api.call("GET", "/live/s", "live:write").status_code == 403
    assert api.call("DELETE", "/live/s/targets/1", "links:read").status_code == 403
    assert api.client.get("/live/s").status_code == 401
