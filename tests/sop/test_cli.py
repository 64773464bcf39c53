"""``suo sop ...`` end to end through suo.cli.main."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from suo.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_show_week(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(
        capsys, "sop", "show", "welfare-weekly", "--week", "2026-W49", "--tz", "Asia/Shanghai"
    )
    assert rc == 0
    assert "Week 2026-W49: Mon 2026-11-30 .. Sun 2026-12-06 (Asia/Shanghai)" in out
    assert "  20:00  operator     Flash sale  [mass]" in out
    rc, out, _ = run(capsys, "sop", "show", "welfare-weekly", "--month", "2026-12", "--html")
    assert rc == 0
    assert out.startswith('<div class="suo-calendar">')


def test_show_relative_templates(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "sop", "show", "flash-72h", "--week", "2026-W50",
                     "--campaign-start", "2026-12-12T20:00+08:00")  # fmt: skip
    assert rc == 0
    assert "Doors open" in out
    assert "Warm-up teaser" in out
    rc, out, _ = run(capsys, "sop", "show", "traffic-onboarding", "--week", "2026-W49",
                     "--member", "ann=2026-12-01T21:40+08:00")  # fmt: skip
    assert "21:40  operator     Welcome message  [member ann, private]" in out


def test_ics_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plan.ics"
    rc, _, err = run(capsys, "sop", "ics", "welfare-weekly", "-o", str(path))
    assert rc == 0
    assert "wrote" in err
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert len(cal.walk("VEVENT")) == 8


def test_check_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "sop", "check", "welfare-weekly", "--month", "2026-12")
    assert rc == 0
    assert "0 problem(s)" in out
    rc, out, _ = run(
        capsys, "sop", "check", "welfare-weekly", "--month", "2026-12", "--cap", "4/month"
    )
    assert rc == 1
    assert "error: cap:" in out


def test_due_next_done_skip_on_a_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/sop.db"
    common = [
        "welfare-weekly",
        "--store",
        store,
        "--now",
        "2026-11-30T10:05+08:00",
        "--lookback",
        "3h",
    ]
    rc, out, _ = run(capsys, "sop", "due", *common)
    lines = out.strip().splitlines()
    assert rc == 0
    assert len(lines) == 2
    quote_id = lines[0].split("\t")[0]
    assert lines[0].endswith("overdue")
    rc, out, _ = run(capsys, "sop", "next", *common, "--worker", "bot-1")
    assert rc == 0
    assert out.startswith(quote_id)
    rc, out, _ = run(capsys, "sop", "done", quote_id, "--by", "bot-2", "--worker", "bot-2",
                     "--store", store, "--now", "2026-11-30T10:06+08:00")  # fmt: skip
    assert rc == 1
    rc, out, _ = run(capsys, "sop", "done", quote_id, "--by", "bot-1", "--store", store)
    assert rc == 0
    assert "done" in out
    coupon_id = lines[1].split("\t")[0]
    rc, out, _ = run(
        capsys, "sop", "skip", coupon_id, "--by", "ann", "--reason", "no stock", "--store", store
    )
    assert rc == 0
    rc, out, _ = run(capsys, "sop", "due", *common)
    assert out == ""
    rc, out, err = run(capsys, "sop", "next", *common, "--worker", "bot-1")
    assert (rc, out) == (1, "")
    assert "nothing due" in err


def test_errors_are_readable(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "sop", "show", "nope", "--week", "2026-W49")
    assert rc == 2
    assert "unknown SOP template" in err
    rc, _, err = run(capsys, "sop", "show", "welfare-weekly", "--week", "2026-W99")
    assert rc == 2
    assert "ISO week" in err
    rc, _, err = run(capsys, "sop", "show", "flash-72h", "--campaign-start", "2026-12-12T20:00")
    assert rc == 2
    assert "UTC offset" in err
    rc, _, err = run(capsys, "sop", "check", "welfare-weekly", "--cap", "lots")
    assert rc == 2
    assert "--cap" in err
    rc, out, _ = run(capsys, "sop", "templates")
    assert rc == 0
    assert "welfare-weekly" in out
