"""Regressions from a review: inputs that once answered 500, 400 or echoed a key."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

import suo
from suo.api import create_app, mint_key
from suo.api.routes import live as live_routes
from suo.testing import ASGIClient


@pytest.fixture
def api() -> tuple[ASGIClient, dict[str, str], suo.Shortener]:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    key, record, digest = mint_key(["admin"])
    s.store.save_key(record, digest)  # type: ignore[attr-defined]
    return ASGIClient(create_app(s, rate_limit=None)), {"Authorization": f"Bearer {key}"}, s


def test_a_chunked_body_over_the_cap_is_413(
    api: tuple[ASGIClient, dict[str, str], suo.Shortener],
) -> None:
    client, auth, _s = api

    async def body() -> AsyncIterator[bytes]:
        for _ in range(1100):  # over 1 MiB, sent without a Content-Length
            yield b" " * 1024

    r = client.post("/links", content=body(), headers={**auth, "content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_out_of_range_expiry_is_422(
    api: tuple[ASGIClient, dict[str, str], suo.Shortener], when: str
) -> None:
    client, auth, s = api
    r = client.post(
        "/links", json={"url": "https://e.com/", "alias": "e", "expires_at": when}, headers=auth
    )
    assert r.status_code == 422
    assert s.store.get_link("e") is None


@pytest.mark.parametrize("zone", ["America", "Etc", "__pycache__"])
def test_a_zone_folder_is_422(
    api: tuple[ASGIClient, dict[str, str], suo.Shortener], zone: str
) -> None:
    client, auth, s = api
    s.shorten("https://e.com/", alias="z")
    assert client.get(f"/links/z/timeseries?tz={zone}", headers=auth).status_code == 422
    assert (
        client.get(f"/sop/templates/welfare-weekly/week?tz={zone}", headers=auth).status_code == 422
    )


@pytest.mark.parametrize("start", ["9999-W52", "9999-12-31", "0001-01-01"])
def test_an_edge_of_time_week_is_422(
    api: tuple[ASGIClient, dict[str, str], suo.Shortener], start: str
) -> None:
    client, auth, _s = api
    r = client.get(f"/sop/templates/welfare-weekly/week?start={start}", headers=auth)
    assert r.status_code == 422


def test_a_huge_canvas_upload_is_refused_before_decoding(
    api: tuple[ASGIClient, dict[str, str], suo.Shortener],
) -> None:
    client, auth, _s = api
    side = int((live_routes.UPLOAD_MAX_PIXELS + 1_000_000) ** 0.5)
    buf = io.BytesIO()
    Image.new("RGBA", (side, side), (0, 0, 0, 0)).save(buf, "PNG")
    assert len(buf.getvalue()) < 200_000  # tiny on the wire, huge in memory
    r = client.post(
        "/live", files={"files": ("big.png", buf.getvalue(), "image/png")}, headers=auth
    )
    assert r.status_code == 422
    assert "pixels" in r.json()["detail"] or "large" in r.json()["detail"]


def test_a_repeated_alias_in_one_bulk_names_the_second_row(
    api: tuple[ASGIClient, dict[str, str], suo.Shortener],
) -> None:
    client, auth, s = api
    rows = [{"url": "https://e.com/a", "alias": "dup"}, {"url": "https://e.com/b", "alias": "dup"}]
    r = client.post("/links/bulk", json=rows, headers=auth)
    assert r.status_code == 422
    assert [e["row"] for e in r.json()["errors"]] == [1]
    assert s.store.get_link("dup") is None


def test_half_hour_zones_label_hours_with_their_real_start() -> None:
    s = suo.Shortener("memory://", clock=lambda: datetime(2026, 12, 3, tzinfo=UTC))
    s.shorten("https://e.com/", alias="in")
    s.resolve("in", now=datetime(2026, 12, 1, 18, 45, tzinfo=UTC))  # 00:15 on the 2nd in India
    ((start, _key, n),) = s.timeseries("in", tz="Asia/Kolkata").rows()
    assert (start.hour, start.minute, n) == (23, 30, 1)
    assert start + timedelta(minutes=45) == datetime(2026, 12, 1, 18, 45, tzinfo=UTC)


def test_revoke_never_echoes_a_pasted_key(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    from suo.cli import main

    db = f"sqlite:///{tmp_path}/k.db"
    key = "suo_AbCdEfGh_" + "x" * 32
    for pasted in (key + '"', "Bearer " + key):
        assert main(["keys", "revoke", pasted, "--store", db]) == 1
        err = capsys.readouterr().err
        assert key not in err
        assert "x" * 20 not in err
