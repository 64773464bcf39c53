"""Week and month grids as text and HTML."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from suo.errors import ScheduleError
from suo.sop import MemberJoin, templates
from suo.sop.grid import parse_week

SH = ZoneInfo("Asia/Shanghai")


def test_week_text() -> None:
    text = templates.welfare_weekly().week("2026-W49").to_text()
    lines = text.splitlines()
    assert lines[0] == "welfare-weekly — Welfare community week"
    assert lines[1] == "Week 2026-W49: Mon 2026-11-30 .. Sun 2026-12-06 (Asia/Shanghai)"
    assert "Mon 2026-11-30" in lines
    assert "  08:30  operator     Morning quote" in lines
    assert "  10:00  operator     Today's coupon  [mass]" in lines
    tue = lines.index("Tue 2026-12-01")
    assert lines[tue + 1] == "  -"
    assert text.count("\n  -") == 3  # Tue, Thu, Sat


def test_week_in_another_zone_moves_times_and_days() -> None:
    view = templates.welfare_weekly().week("2026-W49", tz="America/New_York")
    occ = view.occurrences
    assert all(o.at.tzinfo is not None for o in occ)
    assert "(America/New_York)" in view.subtitle
    # Monday 08:30 Shanghai is Sunday 19:30 in New York: outside this NY week.
    assert "19:30" not in view.to_text().split("Mon 2026-11-30")[1].split("Tue")[0]


def test_html_is_escaped_and_self_contained() -> None:
    plan = templates.traffic_onboarding(
        [MemberJoin("<script>", datetime(2026, 12, 1, 10, tzinfo=SH))]
    )
    page = plan.week("2026-W49")._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<table" in page
    assert "http" not in page
    assert page.count("<td") == 7


def test_month_grid_pads_to_whole_weeks() -> None:
    view = templates.welfare_weekly().month(2026, 12)
    assert view.days[0] == date(2026, 11, 30)
    assert view.days[-1] == date(2027, 1, 3)
    assert len(view.days) % 7 == 0
    text = view.to_text()
    assert "Mon 2026-11-30" not in text
    assert "Tue 2026-12-01" in text
    assert text.count("Flash sale") == 4
    assert view.to_html().count("<tr>") == 6  # header + 5 weeks
    with pytest.raises(ScheduleError, match="month"):
        templates.welfare_weekly().month(2026, 13)


def test_parse_week() -> None:
    assert parse_week("2026W01") == date(2025, 12, 29)
    assert parse_week(date(2026, 12, 3)) == date(2026, 11, 30)
    for bad in ("2026-49", "2026-W54", "week 3"):
        with pytest.raises(ScheduleError):
            parse_week(bad)


def test_plan_describe_and_notebook_view() -> None:
    plan = templates.flash_72h()
    text = plan.describe()
    assert text.splitlines()[0] == "flash-72h — 72-hour flash campaign (Asia/Shanghai)"
    assert "warm-up           T-24h" in text
    assert "[mass]" in text
    page = plan._repr_html_()
    assert page.count("<tr>") == len(plan.steps) + 1
    assert "<code>flash/red-packet-rain</code>" in page
