"""Checks report clashes, quiet hours, caps, DST gaps and overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from suo.errors import ScheduleError
from suo.sop import (
    WECOM_CUSTOMER_MONTHLY,
    Limits,
    MemberJoin,
    MessageCap,
    Override,
    Plan,
    Recurrence,
    Step,
    Weekly,
    check,
    holidays,
    templates,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
W49 = (datetime(2026, 11, 30, tzinfo=SH), datetime(2026, 12, 7, tzinfo=SH))


def kinds(problems: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(p.kind for p in problems)


def test_builtin_welfare_week_is_clean_by_default() -> None:
    assert templates.welfare_weekly().check(*W49) == []


def test_clash_same_role_overlapping_slots() -> None:
    plan = Plan(
        "p",
        [
            Step("a", Weekly("MO", "10:00"), "A", role="operator", duration=timedelta(minutes=45)),
            Step("b", Weekly("MO", "10:30"), "B", role="operator"),
            Step("c", Weekly("MO", "10:30"), "C", role="kol"),
            Step("d", Weekly("MO", "10:45"), "D", role="operator"),
        ],
    )
    problems = check(plan, *W49, Limits(caps=()))
    assert kinds(problems) == ["clash", "clash"]
    pairs = sorted(tuple(o.step.id for o in p.occurrences) for p in problems)
    assert pairs == [("a", "b"), ("b", "d")]
    assert "role 'operator'" in problems[0].message
    assert all(p.severity == "error" for p in problems)


def test_quiet_hours_wrap_midnight_and_are_configurable() -> None:
    plan = Plan("p", [Step("late", Weekly("TU", "23:30"), "Late"), Step("early", Weekly("WE", "07:00"), "Early"),
                      Step("noon", Weekly("WE", "12:00"), "Noon")])  # fmt: skip
    assert kinds(check(plan, *W49)) == ["quiet_hours", "quiet_hours"]
    assert check(plan, *W49, Limits(quiet_hours=None)) == []
    assert kinds(check(plan, *W49, Limits(quiet_hours=("12:00", "13:00")))) == ["quiet_hours"]
    assert Limits(quiet_hours=(time(9), time(17))).is_quiet(time(12))
    with pytest.raises(ScheduleError, match="quiet_hours"):
        Limits(quiet_hours=("late", "early"))  # type: ignore[arg-type]


def test_caps_count_per_recipient_and_period() -> None:
    plan = templates.welfare_weekly()
    month = (datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH))
    problems = check(plan, *month, Limits(caps=(WECOM_CUSTOMER_MONTHLY,)))
    assert kinds(problems) == ["cap"]
    # December 2026: 4 Mondays and 4 Fridays carry a mass message -> 8, cap 4.
    assert len(problems[0].occurrences) == 4
    assert "2026-12" in problems[0].message
    daily_two = Plan("p", [Step("a", Weekly("MO", "09:00"), "A", channel="mass"),
                           Step("b", Weekly("MO", "15:00"), "B", channel="mass")])  # fmt: skip
    assert kinds(check(daily_two, *W49)) == ["cap"]
    assert check(daily_two, *W49, Limits(caps=(MessageCap(2, "day"),))) == []


def test_personal_caps_add_community_wide_messages() -> None:
    plan = Plan(
        "p",
        [
            Step("blast", Weekly("TU", "09:00"), "Blast", channel="mass"),
            Step("dm", templates.traffic_onboarding().steps[0].trigger, "Hello", channel="mass"),
        ],
        members=[MemberJoin("ann", datetime(2026, 12, 1, 12, tzinfo=SH))],
    )
    problems = check(plan, *W49)
    assert kinds(problems) == ["cap"]
    assert "member 'ann'" in problems[0].message
    with pytest.raises(ScheduleError, match="channels"):
        MessageCap(1, "day", channels=("pigeon",))
    with pytest.raises(ScheduleError, match="period"):
        MessageCap(1, "year")  # type: ignore[arg-type]


def test_dst_gaps_are_reported() -> None:
    start, end = datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 3, 15, tzinfo=NY)
    plan = Plan(
        "g",
        [
            Step("weekly", Weekly("SU", "02:30"), "Weekly"),
            Step(
                "rrule", Recurrence("FREQ=DAILY", datetime(2026, 3, 1, 2, 15, tzinfo=NY)), "Daily"
            ),
        ],
        tz="America/New_York",
    )
    problems = [p for p in check(plan, start, end, Limits(quiet_hours=None)) if p.kind == "dst_gap"]
    assert len(problems) == 2
    text = " ".join(p.message for p in problems)
    assert "moved forward" in text
    assert "dropped" in text
    assert "2026-03-08 02:30" in text


def test_overrides_and_unplaced_steps_are_reported() -> None:
    plan = templates.welfare_weekly().with_overrides(
        *holidays([date(2026, 12, 2)], reason="Founders' day")
    )
    problems = check(plan, *W49)
    assert kinds(problems) == ["override", "override"]
    assert all(p.severity == "info" and "Founders' day" in p.message for p in problems)
    rep = Step("alt", Weekly("MO", "09:00"), "Alt")
    replaced = templates.welfare_weekly().with_overrides(
        Override(date(2026, 12, 4), ("fri-flash-sale",), rep)
    )
    (p,) = check(replaced, *W49)
    assert "replaced by alt" in p.message
    assert kinds(check(templates.traffic_onboarding(), *W49)) == ["unplaced"]
    assert kinds(check(templates.flash_72h(), *W49)) == ["unplaced"]


def test_checks_run_per_community() -> None:
    plan = Plan("p", [Step("a", Weekly("MO", "23:00"), "A")])
    problems = check(plan, datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC),
                     communities=["x", "y"])  # fmt: skip
    assert sorted(p.community for p in problems) == ["x", "y"]
    assert str(problems[0]).startswith("warning: quiet_hours: [x]")
