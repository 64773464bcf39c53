"""``suo export visits`` (CSV / JSONL / Parquet, streamed) and ``suo stats`` on visit events."""

from __future__ import annotations

import csv
import io
import json
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import suo
from suo.cli import export as export_mod
from suo.cli import main
from suo.cli.export import export_visits, write_visits
from suo.errors import InvalidInput, MissingDependency
from suo.shortener import Visit
from suo.shortener.visits import COLUMNS

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI"
)


class _Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def cli(store: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A Shortener on the backend under test that every CLI command of this test uses.

    (A ``memory://`` URL would open a new, empty store per command.)
    """
    clock = _Clock()
    s = suo.Shortener(store, clock=clock, cache_ttl=0)
    s.test_clock = clock  # type: ignore[attr-defined]
    monkeypatch.setattr("suo.cli.links._shortener", lambda args: s)
    return s


def _campaign(s: Any) -> None:
    """Two links tagged ``spring``: 3 visits on ``a`` (one a day later), 1 on ``b``."""
    s.shorten("https://example.com/a", alias="a", tags=["spring"])
    s.shorten("https://example.com/b", alias="b", tags=["spring"])
    s.shorten("https://example.com/c", alias="c")
    s.resolve("a", user_agent=WECHAT, ip="203.0.113.7", query="utm_source=wechat&utm_medium=group",
              referrer="https://mp.weixin.qq.com/s/secret-path?x=1", accept_language="zh-CN")  # fmt: skip
    s.resolve("a", ip="198.51.100.2")
    s.resolve("b", ip="198.51.100.2")
    s.resolve("c", ip="198.51.100.2")
    s.test_clock.now = T0 + timedelta(days=1)
    s.resolve("a", ip="203.0.113.7")
    s.test_clock.now += timedelta(minutes=5)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_to_stdout_has_a_header_and_one_row_per_visit(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _campaign(cli)
    code, out, err = run(capsys, "export", "visits", "a", "--format", "csv", "--store", "x://")
    assert (code, err) == (0, "")
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 1 + 3
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["at"].startswith("2026-12-01T08:00:00")
    assert (first["code"], first["platform"], first["bot"]) == ("a", "wechat", "false")
    assert first["referrer"] == "mp.weixin.qq.com"
    assert (first["utm_source"], first["utm_medium"], first["utm_campaign"]) == (
        "wechat",
        "group",
        "",
    )
    assert len(first["visitor"]) == 16
    assert "203.0.113.7" not in out
    assert "secret-path" not in out


def test_csv_to_a_file_and_jsonl_agree(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _campaign(cli)
    target = tmp_path / "a.csv"
    code, out, err = run(capsys, "export", "visits", "a", "-o", str(target))
    assert (code, out) == (0, "")
    assert "3 visits written" in err
    with target.open(newline="", encoding="utf-8") as fh:
        from_csv = list(csv.DictReader(fh))
    code, out, _ = run(capsys, "export", "visits", "a", "--format", "jsonl")
    from_jsonl = [json.loads(line) for line in out.splitlines()]
    assert len(from_csv) == len(from_jsonl) == 3
    assert list(from_jsonl[0]) == list(COLUMNS)
    assert [r["at"] for r in from_csv] == [r["at"] for r in from_jsonl]
    assert from_jsonl[0]["bot"] is False
    assert from_jsonl[1]["utm_source"] is None


def test_tag_exports_every_link_of_the_campaign(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _campaign(cli)
    _, out, _ = run(capsys, "export", "visits", "--tag", "spring", "--format", "jsonl")
    codes = [json.loads(line)["code"] for line in out.splitlines()]
    assert codes == ["a", "a", "a", "b"]


def test_start_and_end_bound_the_export(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _campaign(cli)
    _, out, _ = run(capsys, "export", "visits", "a", "--start", "2026-12-02")
    assert len(out.splitlines()) == 1 + 1
    # A time without an offset is UTC; one with an offset is honoured.
    _, out, _ = run(capsys, "export", "visits", "a", "--end", "2026-12-01T16:00+08:00")
    assert len(out.splitlines()) == 1 + 0
    _, out, _ = run(capsys, "export", "visits", "a", "--end", "2026-12-01T16:01+08:00")
    assert len(out.splitlines()) == 1 + 2


def test_parquet_file_in_row_groups(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    _campaign(cli)
    monkeypatch.setattr(export_mod, "BATCH_ROWS", 2)
    target = tmp_path / "spring.parquet"
    code, _, err = run(capsys, "export", "visits", "--tag", "spring", "--format", "parquet",
                       "-o", str(target))  # fmt: skip
    assert code == 0, err
    f = pq.ParquetFile(target)
    assert f.metadata.num_rows == 4
    assert f.metadata.num_row_groups == 2
    table = f.read()
    assert table.column_names == list(COLUMNS)
    assert str(table.schema.field("at").type) == "timestamp[us, tz=UTC]"
    assert table.column("at")[0].as_py() == T0
    assert table.column("referrer").to_pylist()[0] == "mp.weixin.qq.com"


def test_errors_say_what_to_do(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _campaign(cli)
    code, _, err = run(capsys, "export", "visits", "a", "--format", "parquet")
    assert code == 2
    assert "add -o FILE.parquet" in err
    code, _, err = run(capsys, "export", "visits", "nope")
    assert code == 1  # not found
    assert "no link with code 'nope'" in err
    code, _, err = run(capsys, "export", "visits")
    assert code == 2
    assert "give a link CODE or --tag TAG" in err
    code, _, err = run(capsys, "export", "visits", "a", "--tag", "spring")
    assert code == 2
    assert "not both" in err
    code, _, err = run(capsys, "export", "visits", "a", "--start", "yesterday")
    assert code == 2
    assert "--start 'yesterday': give an ISO 8601 date" in err
    code, _, err = run(
        capsys, "export", "visits", "a", "--start", "2026-12-02", "--end", "2026-12-01"
    )
    assert code == 2
    assert "must be before" in err


def test_parquet_without_pyarrow_is_a_clear_error(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _campaign(cli)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependency, match=r"pip install 'suo\[dataframe\]'"):
        write_visits([], str(tmp_path / "x.parquet"), "parquet")
    code, _, err = run(capsys, "export", "visits", "a", "--format", "parquet",
                       "-o", str(tmp_path / "a.parquet"))  # fmt: skip
    assert code == 2
    assert err.strip() == (
        "suo: error: --format parquet needs pyarrow: pip install 'suo[dataframe]'"
    )


def test_unknown_format_from_python() -> None:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/", alias="x")
    with pytest.raises(InvalidInput, match="use one of csv, jsonl, parquet"):
        export_visits(s, io.StringIO(), "xlsx", code="x")


# -- memory stays flat --------------------------------------------------------


class _Sink(io.TextIOBase):
    """A text stream that only counts what it is given (so the test holds no output)."""

    def __init__(self) -> None:
        self.chars = 0
        self.lines = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        self.lines += s.count("\n")
        return len(s)


N = 200_000


def _visit(i: int) -> Visit:
    return Visit(T0 + timedelta(seconds=i), "wechat", "ios", False, "redirect", "big",
                 "zh-cn", "mp.weixin.qq.com", None, {"utm_source": "wechat"},
                 f"{i:016x}")  # fmt: skip


def _peak(fn: Any) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_csv_writer_streams_row_by_row() -> None:
    sink = _Sink()
    n = N // 4
    peak = _peak(lambda: write_visits((_visit(i) for i in range(n)), sink, "csv"))
    assert sink.lines == n + 1
    # The whole output is ~6 MB; one row at a time needs a few kB.
    assert sink.chars > 5_000_000
    assert peak < 500_000, peak


def test_export_through_a_store_keeps_memory_far_below_the_output() -> None:
    s = suo.Shortener("memory://", cache_ttl=0)
    s.shorten("https://example.com/", alias="big")
    hit = s.store.hit
    for i in range(N):
        hit("big", _visit(i), count=True, cap=None, event=True)
    sink = _Sink()
    peak = _peak(lambda: export_visits(s, sink, "csv", code="big"))
    assert sink.lines == N + 1
    # The memory store hands out a list of its events (references, ~8 bytes
    # an event); the export adds one row at a time, never the output (~25 MB).
    assert peak < sink.chars / 5, (peak, sink.chars)


def test_parquet_memory_does_not_grow_with_the_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(export_mod, "BATCH_ROWS", 1_000)
    peaks = []
    for n in (4_000, 16_000):
        target = tmp_path / f"{n}.parquet"
        peaks.append(
            _peak(
                lambda n=n, target=target: write_visits(
                    (_visit(i) for i in range(n)), str(target), "parquet"
                )
            )
        )
        f = pq.ParquetFile(target)
        assert (f.metadata.num_rows, f.metadata.num_row_groups) == (n, n // 1_000)
    # Four times the events, about the same peak: one row group at a time.
    assert peaks[1] < peaks[0] * 1.3, peaks


def test_the_console_command_on_a_store_url(tmp_path: Path) -> None:
    """The contract: ``suo export visits CODE --format csv --store URL`` -> CSV on stdout."""
    import os
    import subprocess

    url = f"sqlite:///{tmp_path}/contract.db"
    with suo.Shortener(url) as s:
        s.shorten("https://example.com/", alias="k")
        for ip in ("203.0.113.7", "198.51.100.2"):
            s.resolve("k", ip=ip)
    env = {**os.environ, "PYTHONPATH": str(Path(suo.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "suo.cli", "export", "visits", "k", "--format", "csv",
         "--store", url],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 3


# -- suo stats ------------------------------------------------------------------


def test_stats_keeps_its_lines_and_adds_people_and_outcomes(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _campaign(cli)
    code, out, _ = run(capsys, "stats", "a")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "code: a",
        "clicks: 3  visits: 3  bots: 0",
        "people: 3  (distinct visitors, counted per day)",
    ]
    assert "by platform: browser=2, wechat=1" in lines
    assert "by day: 2026-12-01=2, 2026-12-02=1" in lines
    assert "by outcome: redirect=3" in lines


def test_stats_json(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _campaign(cli)
    code, out, _ = run(capsys, "stats", "a", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["clicks"], data["uniques"], data["by_outcome"]) == (3, 3, {"redirect": 3})
    assert data["first_visit"] == "2026-12-01T08:00:00+00:00"


def test_stats_series_by_platform_in_a_time_zone(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _campaign(cli)
    code, out, _ = run(capsys, "stats", "a", "--by", "platform", "--tz", "Asia/Shanghai")
    assert code == 0
    assert out.splitlines() == [
        "hour (Asia/Shanghai)  platform  visits",
        "2026-12-01 16:00      browser        1",
        "2026-12-01 16:00      wechat         1",
        "2026-12-02 16:00      browser        1",
        "total                                3",
    ]
    _, out, _ = run(capsys, "stats", "a", "--interval", "day", "--json")
    data = json.loads(out)
    assert (data["interval"], data["by"], data["tz"], data["total"]) == ("day", None, "UTC", 3)
    assert data["points"] == [
        {"bucket": "2026-12-01T00:00:00+00:00", "key": None, "count": 2},
        {"bucket": "2026-12-02T00:00:00+00:00", "key": None, "count": 1},
    ]


def test_stats_series_errors(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _campaign(cli)
    code, _, err = run(capsys, "stats", "a", "--tz", "Mars/Olympus")
    assert code == 2
    assert "unknown time zone 'Mars/Olympus'" in err
    with pytest.raises(SystemExit):
        main(["stats", "a", "--by", "colour"])
    assert "invalid choice: 'colour'" in capsys.readouterr().err
