"""``suo keys``: a key minted by the CLI works against the API until revoked, and is never stored."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import suo
from suo.api import create_app, hash_key, parse_key
from suo.cli import main
from suo.cli.keys import parse_expiry
from suo.errors import InvalidInput
from suo.shortener import Shortener
from suo.testing import ASGIClient, KeyStoreSuite, require_service


@pytest.fixture(params=["sqlite-file", "redis"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL that separate CLI runs share (dropped afterwards)."""
    if request.param == "sqlite-file":
        yield f"sqlite:///{tmp_path}/keys.db"
        return
    base = require_service("redis")
    url = f"{base}?prefix=suo-t-cli-{uuid.uuid4().hex[:10]}"
    yield url
    with suo.open_store(url) as store:
        store.drop_all()  # type: ignore[attr-defined]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_minted_key_authenticates_until_revoked(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, out, err = run(capsys, "keys", "create", "--scope", "links:read", "--scope",
                         "links:write", "--name", "crm", "--expires", "30d", "--json",
                         "--store", url)  # fmt: skip
    assert code == 0
    minted = json.loads(out)
    key = minted["key"]
    assert parse_key(key) == minted["prefix"]
    assert minted["scopes"] == ["links:read", "links:write"]
    assert "only this once" in err
    assert key not in err
    # A second key (admin, text output) to see both in listings.
    code, out2, err2 = run(capsys, "keys", "create", "--scope", "admin", "--store", url)
    assert code == 0
    other = out2.strip()
    assert out2 == other + "\n"  # the key alone on stdout: KEY=$(suo keys create ...)
    assert parse_key(other) is not None
    assert "scopes admin" in err2
    assert "expires never" in err2
    assert other not in err2

    with suo.open_store(url) as store:
        app = create_app(Shortener(store, cache_ttl=0), rate_limit=None)
        client = ASGIClient(app)
        auth = {"Authorization": f"Bearer {key}"}
        r = client.post("/links", json={"url": "https://example.com/", "alias": "k1"}, headers=auth)
        assert r.status_code == 201, r.text
        assert client.get("/links/k1", headers=auth).status_code == 200
        wrong = {"Authorization": f"Bearer {key[:-1]}{'A' if key[-1] != 'A' else 'B'}"}
        assert client.get("/links/k1", headers=wrong).status_code == 401

        # Listings show records, never a key nor a hash.
        for args in (["keys", "list"], ["keys", "list", "--json"]):
            code, listing, _ = run(capsys, *args, "--store", url)
            assert code == 0
            assert minted["prefix"] in listing
            assert "crm" in listing
            for secret in (key, other):
                assert secret not in listing
                assert secret.split("_", 2)[2] not in listing
                assert hash_key(secret) not in listing
        rows = json.loads(run(capsys, "keys", "list", "--json", "--store", url)[1])
        assert [r["prefix"] for r in rows] == [minted["prefix"], parse_key(other)]
        assert set(rows[0]) == {"prefix", "name", "scopes", "created_at", "expires_at",
                                "revoked_at"}  # fmt: skip

        # The store holds the hash, not the key.
        text = KeyStoreSuite().store_text(store)
        assert hash_key(key) in text
        assert key not in text
        assert key.split("_", 2)[2] not in text
        assert other not in text

        code, out, _ = run(capsys, "keys", "revoke", minted["prefix"], "--store", url)
        assert (code, out.strip()) == (0, f"revoked {minted['prefix']}")
        r = client.get("/links/k1", headers=auth)
        assert r.status_code == 401
        assert "revoked or expired" in r.json()["detail"]
        # The other key still works; revoking twice is "none".
        ok = client.get("/links/k1", headers={"Authorization": f"Bearer {other}"})
        assert ok.status_code == 200
        code, _, err = run(capsys, "keys", "revoke", minted["prefix"], "--store", url)
        assert code == 1
        assert "no active API key" in err
        rows = json.loads(run(capsys, "keys", "list", "--json", "--store", url)[1])
        assert rows[0]["revoked_at"] is not None
        assert rows[1]["revoked_at"] is None


def test_revoke_takes_a_pasted_key_without_echoing_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path}/k.db"
    key = json.loads(run(capsys, "keys", "create", "--scope", "admin", "--json", "--store", db)[1])[
        "key"
    ]
    code, out, err = run(capsys, "keys", "revoke", key, "--store", db)
    assert (code, out.strip()) == (0, f"revoked {parse_key(key)}")
    assert key not in out + err


def test_unknown_revoke_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "keys", "revoke", "Nope1234", "--store", f"sqlite:///{tmp_path}/k.db"
    )
    assert (code, out) == (1, "")
    assert err.strip() == "suo: no active API key with prefix 'Nope1234'"


def test_unknown_scope_is_one_line_naming_the_scopes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path}/k.db"
    code, out, err = run(capsys, "keys", "create", "--scope", "links:read", "--scope", "links:rw",
                         "--store", db)  # fmt: skip
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "'links:rw'" in err
    for scope in suo.api.SCOPES:
        assert scope in err
    assert run(capsys, "keys", "list", "--json", "--store", db)[1].strip() == "[]"


def test_list_when_empty(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "keys", "list", "--store", f"sqlite:///{tmp_path}/k.db")
    assert (code, out) == (0, "")
    assert "suo keys create" in err


def test_expires(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/k.db"
    before = datetime.now(UTC)
    rec = json.loads(run(capsys, "keys", "create", "--scope", "admin", "--expires", "2w", "--json",
                         "--store", db)[1])  # fmt: skip
    expires = datetime.fromisoformat(rec["expires_at"])
    assert before + timedelta(weeks=2) <= expires <= datetime.now(UTC) + timedelta(weeks=2)
    rec = json.loads(run(capsys, "keys", "create", "--scope", "admin", "--expires",
                         "2099-01-01T08:00+08:00", "--json", "--store", db)[1])  # fmt: skip
    assert rec["expires_at"] == "2099-01-01T00:00:00+00:00"
    for bad in ("soon", "2001-01-01T00:00"):
        code, out, err = run(capsys, "keys", "create", "--scope", "admin", "--expires", bad,
                             "--store", db)  # fmt: skip
        assert (code, out) == (2, "")
        assert err.startswith("suo: error: ")
    assert len(json.loads(run(capsys, "keys", "list", "--json", "--store", db)[1])) == 2


def test_parse_expiry() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_expiry("30d", now) == now + timedelta(days=30)
    assert parse_expiry("12h", now) == now + timedelta(hours=12)
    assert parse_expiry("2027-01-01", now) == datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="--expires"):
        parse_expiry("next week", now)
