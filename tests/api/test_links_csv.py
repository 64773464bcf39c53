"""``POST /links/bulk.csv``: links from an uploaded CSV, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .helpers import Api

GOOD = (
    "url,alias,tags,max_clicks,expires_at,title\n"
    "https://example.com/a,csv-a,spring;vip,10,2027-01-01T00:00:00+08:00,First\n"
    'https://example.com/b,,spring,,,"Second, with a comma"\n'
)


def upload(api: Api, text: str | bytes, *scopes: str) -> Any:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return api.call(
        "POST", "/links/bulk.csv", *scopes, files={"file": ("links.csv", data, "text/csv")}
    )


def test_csv_makes_every_link(api: Api) -> None:
    r = upload(api, GOOD, "links:write")
    assert r.status_code == 201, r.text
    a, b = r.json()["links"]
    assert (a["code"], a["target"], a["tags"], a["max_clicks"], a["title"]) == (
        "csv-a", "https://example.com/a", ["spring", "vip"], 10, "First",
    )  # fmt: skip
    assert datetime.fromisoformat(a["expires_at"]) == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert b["title"] == "Second, with a comma"
    assert b["target"] == "https://example.com/b"
    assert api.s.get(b["code"]).tags == ("spring",)
    assert len(api.s.links(tag="spring").links) == 2


def test_bom_and_crlf_are_fine(api: Api) -> None:
    r = upload(api, "\ufeffurl,alias\r\nhttps://example.com/,bom\r\n".encode())
    assert r.status_code == 201, r.text
    assert r.json()["links"][0]["code"] == "bom"


def test_bad_rows_make_nothing_and_are_named(api: Api) -> None:
    text = (
        "url,alias,max_clicks\n"
        "https://example.com/ok,ok1,\n"
        "javascript:alert(1),js,\n"
        "https://example.com/,bad alias!,\n"
        "https://example.com/,n,zero\n"
        "https://example.com/,x,1,extra\n"
    )
    r = upload(api, text)
    assert r.status_code == 422
    body = r.json()
    assert body["title"] == "Invalid rows"
    rows = {e["row"]: e for e in body["errors"]}
    assert sorted(rows) == [1, 2, 3, 4]
    assert rows[1]["error"] == "InvalidURL"
    assert "javascript" in rows[1]["detail"]
    assert rows[2]["error"] == "InvalidAlias"
    assert "line 5" in rows[3]["detail"]
    assert "max_clicks" in rows[3]["detail"]
    assert "more cells" in rows[4]["detail"]
    assert api.s.links().links == ()


def test_taken_alias_is_409_and_makes_nothing(api: Api) -> None:
    api.s.shorten("https://example.com/", alias="csv-a")
    r = upload(api, GOOD)
    assert r.status_code == 409
    assert r.json()["errors"][0]["row"] == 0
    assert len(api.s.links().links) == 1


def test_bad_files(api: Api) -> None:
    for text, why in [
        (b"\xff\xfe\x00u", "UTF-8"),
        ("alias,title\nx,y\n", "'url'"),
        ("url,colour\nhttps://example.com/,red\n", "'colour'"),
        ("url\n", "no rows"),
    ]:
        r = upload(api, text)
        assert r.status_code == 422, text
        assert why in r.json()["detail"]
    assert api.call("POST", "/links/bulk.csv", data={"x": "1"}).status_code == 422
    r = upload(api, "url\n" + "https://example.com/\n" * 10_001)
    assert r.status_code == 422
    assert "10000 rows" in r.json()["detail"]
    assert api.s.links().links == ()


def test_csv_limits_and_scope(api: Api) -> None:
    assert upload(api, GOOD, "links:read").status_code == 403
    big = "url\n" + ("https://example.com/" + "a" * 80 + "\n") * 90_000  # over 8 MiB
    r = upload(api, big)
    assert r.status_code == 413
    assert api.s.links().links == ()


def test_json_bulk_still_works(api: Api) -> None:
    r = api.call("POST", "/links/bulk", json=[{"url": "https://example.com/", "alias": "j"}])
    assert r.status_code == 201
    assert r.json()["links"][0]["code"] == "j"
    r = api.call("POST", "/links/bulk", json=[{"url": "https://example.com/"}, {"url": "ftp://x"}])
    assert r.status_code == 422
    assert [e["row"] for e in r.json()["errors"]] == [1]
