"""``suo track``, ``suo funnel``, ``suo export conversions`` and ``suo shorten --click-ids``."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import suo
from suo.cli import main

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def cli(store: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    s = suo.Shortener(store, clock=lambda: T0, cache_ttl=0)
    monkeypatch.setattr("suo.cli.links._shortener", lambda args: s)
    return s


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_shorten_track_funnel_export(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "shorten", "https://shop.example/p", "--alias", "p", "--click-ids")
    assert code == 0
    assert cli.get("p").click_ids is True
    cid = cli.resolve("p").click_id
    assert cid is not None
    args = (
        "track",
        cid,
        "purchase",
        "--value",
        "9.90",
        "--currency",
        "CNY",
        "--external-id",
        "o-1",
    )
    assert run(capsys, *args)[:2] == (0, "recorded\n")
    code, out, _ = run(capsys, *args)
    assert (code, out) == (1, "already recorded: nothing changed\n")
    assert run(capsys, "track", cid, "join", "--at", "2026-12-01T10:00+08:00")[0] == 0
    code, _, err = run(capsys, "track", "AAAAAAAAAAAAAAAAAAAAAA", "join")
    assert code == 1
    assert "no click" in err
    code, _, err = run(capsys, "track", cid, "purchase", "--currency", "CNY")
    assert code == 2
    assert "without a value" in err

    code, out, _ = run(capsys, "funnel", "p", "--json")
    assert code == 0
    assert [(s["name"], s["count"]) for s in json.loads(out)["steps"]] == [
        ("click", 1), ("join", 1), ("purchase", 1),
    ]  # fmt: skip
    code, out, _ = run(capsys, "funnel", "p", "--by", "platform", "--steps", "click,purchase")
    assert code == 0
    assert "platform=browser" in out
    assert "100.0%" in out

    code, out, _ = run(capsys, "export", "conversions", "p")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["event"], r["value"], r["currency"], r["click_id"]) for r in rows] == [
        ("join", "", "", cid), ("purchase", "9.90", "CNY", cid),
    ]  # fmt: skip
    assert rows[0]["at"] == "2026-12-01T02:00:00+00:00"
    assert rows[1]["platform"] == "browser"
    code, out, _ = run(capsys, "export", "conversions", "p", "--format", "jsonl")
    assert [json.loads(line)["event"] for line in out.splitlines()] == ["join", "purchase"]

    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "c.parquet"
    assert run(capsys, "export", "conversions", "p", "--format", "parquet", "-o", str(path))[0] == 0
    table = pq.read_table(path)
    assert table.num_rows == 2
    assert table.column("value").to_pylist() == [None, "9.90"]
    assert str(table.schema.field("click_at").type) == "timestamp[us, tz=UTC]"
