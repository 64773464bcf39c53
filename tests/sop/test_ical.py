"""iCalendar export parses back with icalendar and keeps the plan's meaning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from suo.sop import MemberJoin, Once, Override, Plan, Recurrence, RRule, Step, Weekly, templates

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def _events(data: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return list(cal.walk("VEVENT"))


def test_welfare_weekly_exports_one_recurring_event_per_step() -> None:
    plan = templates.welfare_weekly()
    data = plan.to_ical()
    assert data == plan.to_ical()  # reproducible
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(plan.steps) == 8
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    by_step = {str(e["X-SUO-STEP"]): e for e in events}
    assert set(by_step) == {s.id for s in plan.steps}
    fri = by_step["fri-flash-sale"]
    assert str(fri["SUMMARY"]) == "Flash sale"
    assert fri["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=FR"
    start = fri.decoded("DTSTART")
    assert start.weekday() == 4
    assert (start.hour, start.minute) == (20, 0)
    assert (
        str(start.tzinfo) in ("Asia/Shanghai", "CST")
        or getattr(start.tzinfo, "key", "") == "Asia/Shanghai"
    )
    assert fri.decoded("DTEND") - start == timedelta(minutes=30)
    assert len({str(e["UID"]) for e in events}) == 8
    assert b"TZID=Asia/Shanghai" in data


def test_exported_rrules_expand_to_the_same_times_as_the_plan() -> None:
    plan = templates.welfare_weekly()
    lo, hi = datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 6, 1, tzinfo=SH)
    expected = sorted(o.utc for o in plan.occurrences(lo, hi))
    got = []
    for e in _events(plan.to_ical()):
        start = e.decoded("DTSTART").replace(tzinfo=SH)
        rule = e["RRULE"].to_ical().decode()
        got += [x.astimezone(UTC) for x in RRule(rule, start).between(lo, hi)]
    assert sorted(got) == expected


def test_new_york_step_keeps_its_zone_with_vtimezone() -> None:
    plan = Plan("ny", [Step("standup", Weekly("MO", "09:00", tz="America/New_York"), "Stand-up")])
    cal = icalendar.Calendar.from_ical(plan.to_ical(start=date(2026, 10, 1)))
    assert "America/New_York" in [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    (ev,) = cal.walk("VEVENT")
    assert ev["DTSTART"].params["TZID"] == "America/New_York"
    assert ev.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 10, 5, 9)


def test_rrule_once_relative_and_overrides() -> None:
    greeting = Step(
        "greeting", Once(datetime(2000, 1, 1, tzinfo=UTC)), "Holiday greeting", role="owner"
    )
    plan = Plan(
        "mix",
        [
            Step(
                "ama",
                Recurrence(
                    "FREQ=MONTHLY;BYDAY=1TU",
                    datetime(2026, 1, 6, 19, tzinfo=SH),
                    exdates=[datetime(2026, 2, 3, 19, tzinfo=SH)],
                ),
                "AMA",
            ),
            Step("launch", Once(datetime(2026, 12, 2, 12, tzinfo=SH)), "Launch"),
            Step(
                "welcome",
                templates.traffic_onboarding().steps[0].trigger,
                "Welcome",
                channel="private",
            ),
            Step("quote", Weekly("MO", "09:00"), "Quote"),
        ],
        overrides=[Override(date(2026, 1, 12), ("quote",), greeting, "day off")],
        members=[
            MemberJoin("ann", datetime(2026, 1, 2, 10, tzinfo=SH)),
            MemberJoin("bob", datetime(2026, 1, 3, 10, tzinfo=SH)),
        ],
    )
    events = _events(plan.to_ical())
    by_uid = {str(e["UID"]): e for e in events}
    assert by_uid["mix/ama@suo"]["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU"
    assert [x.dt for x in by_uid["mix/ama@suo"]["EXDATE"].dts] == [
        datetime(2026, 2, 3, 19, tzinfo=SH)
    ]
    assert "RRULE" not in by_uid["mix/launch@suo"]
    assert {"mix/welcome/ann@suo", "mix/welcome/bob@suo"} <= set(by_uid)
    quote = by_uid["mix/quote@suo"]
    assert [x.dt.date() for x in quote["EXDATE"].dts] == [date(2026, 1, 12)]
    rep = by_uid["mix/greeting/quote/2026-01-12@suo"]
    assert str(rep["SUMMARY"]) == "Holiday greeting"
    assert rep.decoded("DTSTART") == datetime(2026, 1, 12, 9, tzinfo=SH)
    assert len(events) == 6


def test_flash_without_campaign_exports_nothing_relative() -> None:
    assert _events(templates.flash_72h().to_ical()) == []
    t0 = datetime(2026, 12, 12, 20, tzinfo=SH)
    events = _events(templates.flash_72h(t0).to_ical())
    assert len(events) == len(templates.flash_72h().steps)
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts[0] == t0 - timedelta(hours=24)
    assert starts[-1] == t0 + timedelta(hours=72)


def test_excluded_whole_days_reach_the_calendar() -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import icalendar

    from suo.sop import Plan, Recurrence, Step

    ny = ZoneInfo("America/New_York")
    trig = Recurrence(
        "FREQ=DAILY;COUNT=5", datetime(2026, 1, 5, 9, tzinfo=ny), exdates=[date(2026, 1, 6)]
    )
    plan = Plan("p", [Step("s", trig, title="Daily check-in")], tz="America/New_York")
    got = [
        o.at.day
        for o in plan.occurrences(datetime(2026, 1, 1, tzinfo=ny), datetime(2026, 2, 1, tzinfo=ny))
    ]
    assert got == [5, 7, 8, 9]
    cal = icalendar.Calendar.from_ical(plan.to_ical())
    (event,) = list(cal.walk("VEVENT"))
    ex = event.get("exdate")
    exdates = [v.dt for prop in (ex if isinstance(ex, list) else [ex]) for v in prop.dts]
    assert [d.astimezone(ny).replace(tzinfo=None) for d in exdates] == [datetime(2026, 1, 6, 9)]
