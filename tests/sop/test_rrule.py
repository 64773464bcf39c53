"""RRule against RFC 5545 and dateutil; DST gaps and folds."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as du
from hypothesis import given
from hypothesis import strategies as st

from suo.errors import ScheduleError
from suo.sop import RRule

from .rfc5545_examples import EXAMPLES

NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("dtstart", "rule", "exdates", "expected", "whole"),
    [pytest.param(*e[1:], id=e[0]) for e in EXAMPLES],
)
def test_rfc5545_examples(
    dtstart: datetime, rule: str, exdates: list[datetime], expected: list[datetime], whole: bool
) -> None:
    rr = RRule(rule, dtstart.replace(tzinfo=NY), exdates=[x.replace(tzinfo=NY) for x in exdates])
    limit = len(expected) + 5 if whole else len(expected)
    got = list(itertools.islice(rr, limit))
    assert all(g.tzinfo is NY for g in got)
    assert [g.replace(tzinfo=None) for g in got] == expected
    # Each instant carries New York's offset for its date (EDT in summer, EST in winter).
    for g in got:
        assert g.utcoffset() == g.replace(tzinfo=None).replace(tzinfo=NY).utcoffset()


def test_weekly_0900_new_york_stays_0900_across_november_dst() -> None:
    rr = RRule("FREQ=WEEKLY;BYDAY=MO", datetime(2026, 10, 19, 9, tzinfo=NY))
    got = rr.between(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert [g.hour for g in got] == [9] * 7
    assert [g.date() for g in got] == [date(2026, 10, 19) + timedelta(weeks=i) for i in range(7)]
    # 09:00 EDT is 13:00 UTC; after 1 November, 09:00 EST is 14:00 UTC.
    assert [g.astimezone(UTC).hour for g in got] == [13, 13, 14, 14, 14, 14, 14]


def test_gap_instances_are_skipped_and_not_counted() -> None:
    # 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 -> 03:00).
    rr = RRule("FREQ=DAILY;COUNT=3", datetime(2026, 3, 7, 2, 30, tzinfo=NY))
    got = list(rr)
    assert [g.date() for g in got] == [date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 10)]
    assert all((g.hour, g.minute) == (2, 30) for g in got)
    assert rr.nonexistent_between(
        datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 3, 20, tzinfo=NY)
    ) == [datetime(2026, 3, 8, 2, 30)]


def test_gap_instances_shift_forward_when_asked() -> None:
    rr = RRule("FREQ=DAILY;COUNT=3", datetime(2026, 3, 7, 2, 30, tzinfo=NY), nonexistent="shift")
    got = list(rr)
    assert [g.isoformat() for g in got] == [
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
    ]
    assert (
        rr.nonexistent_between(datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 4, 1, tzinfo=NY))
        == []
    )


def test_shifted_gap_times_do_not_duplicate_real_ones() -> None:
    rr = RRule(
        "FREQ=MINUTELY;INTERVAL=30;COUNT=6", datetime(2026, 3, 8, 1, tzinfo=NY), nonexistent="shift"
    )
    got = [g.astimezone(UTC) for g in rr]
    assert got == sorted(set(got))
    assert [g.strftime("%H:%M") for g in (x.astimezone(NY) for x in got)] == [
        "01:00", "01:30", "03:00", "03:30", "04:00", "04:30",
    ]  # fmt: skip


def test_dtstart_in_gap_uses_offset_before_gap() -> None:
    # RFC 5545 3.3.5: TZID=America/New_York:20070311T023000 means 03:30 EDT.
    rr = RRule("FREQ=DAILY;COUNT=2", datetime(2007, 3, 11, 2, 30, tzinfo=NY))
    first, second = list(rr)
    assert first.isoformat() == "2007-03-11T03:30:00-04:00"
    assert second.isoformat() == "2007-03-12T02:30:00-04:00"


def test_fold_means_first_occurrence() -> None:
    # 2026-11-01 01:30 happens twice in New York; the first one is EDT (-04:00).
    rr = RRule("FREQ=DAILY;COUNT=3", datetime(2026, 10, 31, 1, 30, tzinfo=NY))
    got = list(rr)
    assert got[1].isoformat() == "2026-11-01T01:30:00-04:00"
    assert got[1].fold == 0
    assert got[2].isoformat() == "2026-11-02T01:30:00-05:00"
    hours = {
        g.astimezone(UTC) for g in RRule("FREQ=HOURLY;COUNT=4", datetime(2026, 11, 1, tzinfo=NY))
    }
    assert (
        len(hours) == 4
    )  # 00:00, 01:00 (EDT), 02:00 (EST), 03:00: the second 01:00 is not invented


def test_exdates_remove_after_count() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=SH)
    rr = RRule("FREQ=DAILY;COUNT=5", start, exdates=[start + timedelta(days=1), date(2026, 1, 8)])
    assert [g.day for g in rr] == [5, 7, 9]
    naive = RRule("FREQ=DAILY;COUNT=3", start, exdates=[datetime(2026, 1, 6, 9)])
    assert [g.day for g in naive] == [5, 7]


def test_until_date_and_floating_until() -> None:
    start = datetime(2026, 1, 1, 9, tzinfo=SH)
    assert len(list(RRule("FREQ=DAILY;UNTIL=20260110", start))) == 10
    assert len(list(RRule("FREQ=DAILY;UNTIL=20260110T090000", start))) == 10
    assert len(list(RRule("FREQ=DAILY;UNTIL=20260110T010000Z", start))) == 10  # 09:00 +08:00
    assert len(list(RRule("FREQ=DAILY;UNTIL=20260110T005959Z", start))) == 9


def test_prefix_folding_and_case() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=SH)
    a = RRule("RRULE:freq=weekly;\r\n byday=mo,we;count=4", start)
    b = RRule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4", start)
    assert list(a) == list(b)
    assert a == b
    assert hash(a) == hash(b)
    assert str(a) == "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"
    assert "RRule(" in repr(a)


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("", "empty"),
        ("BYDAY=MO", "no FREQ"),
        ("FREQ=SOMETIMES", "FREQ=SOMETIMES"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z", "both COUNT and UNTIL"),
        ("FREQ=DAILY;FOO=1", "unknown RRULE part"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ("FREQ=DAILY;COUNT", "NAME=VALUE"),
        ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL"),
        ("FREQ=DAILY;COUNT=0", "COUNT"),
        ("FREQ=WEEKLY;BYDAY=XX", "cannot read"),
    ],
)
def test_bad_rules_raise_schedule_error(rule: str, fragment: str) -> None:
    with pytest.raises(ScheduleError, match=fragment):
        RRule(rule, datetime(2026, 1, 1, tzinfo=UTC))


def test_naive_dtstart_is_refused() -> None:
    with pytest.raises(ScheduleError, match="aware"):
        RRule("FREQ=DAILY", datetime(2026, 1, 1))
    # Naive window bounds are read in dtstart's zone.
    rr = RRule("FREQ=DAILY", datetime(2026, 1, 1, 9, tzinfo=SH))
    assert rr.between(datetime(2026, 1, 1), datetime(2026, 1, 3)) == rr.between(
        datetime(2026, 1, 1, tzinfo=SH), datetime(2026, 1, 3, tzinfo=SH)
    )
    assert len(rr.between(datetime(2026, 1, 1), datetime(2026, 1, 3))) == 2
    with pytest.raises(ScheduleError, match="datetime"):
        rr.between(date(2026, 1, 1), datetime(2026, 1, 3))  # type: ignore[arg-type]


_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]


@st.composite
def simple_rules(draw: st.DrawFn) -> tuple[str, datetime]:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(
            "BYDAY="
            + ",".join(draw(st.lists(st.sampled_from(_DAYS), min_size=1, max_size=4, unique=True)))
        )
    if freq == "MONTHLY" and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.integers(1, 28))}")
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    tz = ZoneInfo(draw(st.sampled_from(_ZONES)))
    # Hours away from DST changes (which happen between 00:00 and 03:00 in these zones).
    start = datetime(
        draw(st.integers(2020, 2030)), draw(st.integers(1, 12)), draw(st.integers(1, 28)),
        draw(st.integers(4, 23)), draw(st.sampled_from([0, 15, 30])), tzinfo=tz,
    )  # fmt: skip
    return ";".join(parts), start


@given(simple_rules(), st.integers(0, 400), st.integers(1, 200))
def test_property_equals_dateutil_sorted_within_window(
    rule_start: tuple[str, datetime], offset: int, span: int
) -> None:
    rule, start = rule_start
    rr = RRule(rule, start)
    lo = start + timedelta(days=offset - 30)
    hi = lo + timedelta(days=span)
    got = rr.between(lo, hi)
    expected = [x for x in du.rrulestr(rule, dtstart=start).between(lo, hi, inc=True) if x < hi]
    assert [g.astimezone(UTC) for g in got] == [e.astimezone(UTC) for e in expected]
    assert got == sorted(got)
    assert all(lo <= g < hi for g in got)
    assert all((g.hour, g.minute) == (start.hour, start.minute) for g in got)


@given(simple_rules(), st.sets(st.integers(0, 39), max_size=10))
def test_property_exdates_excluded(rule_start: tuple[str, datetime], drop: set[int]) -> None:
    rule, start = rule_start
    if "COUNT" not in rule:
        rule += ";COUNT=40"
    full = list(RRule(rule, start))
    ex = [full[i] for i in drop if i < len(full)]
    rest = list(RRule(rule, start, exdates=ex))
    assert rest == [x for x in full if x not in ex]


@given(
    freq=st.sampled_from(["HOURLY", "DAILY", "WEEKLY"]),
    interval=st.integers(1, 3),
    count=st.integers(1, 30),
    tzname=st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]),
    day=st.integers(0, 364),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_property_dst_zones_skip_gaps_and_count_only_real_instances(
    freq: str, interval: int, count: int, tzname: str, day: int, hour: int, minute: int
) -> None:
    tz = ZoneInfo(tzname)
    wall = datetime(2026, 1, 1, hour, minute) + timedelta(days=day)
    start = wall.replace(tzinfo=tz)
    if start.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return  # dtstart itself in a gap: covered by test_dtstart_in_gap_uses_offset_before_gap
    got = list(RRule(f"FREQ={freq};INTERVAL={interval};COUNT={count}", start))
    # Reference: dateutil on wall times, drop walls that do not exist, then take COUNT.
    expected = []
    for w in du.rrulestr(f"FREQ={freq};INTERVAL={interval}", dtstart=wall):
        aware = w.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != w:
            continue
        expected.append(aware)
        if len(expected) == count:
            break
    assert [g.astimezone(UTC) for g in got] == [e.astimezone(UTC) for e in expected]
    assert [g.replace(tzinfo=None) for g in got] == [e.replace(tzinfo=None) for e in expected]
    assert all(g.fold == 0 for g in got)
    utc = [g.astimezone(UTC) for g in got]
    assert utc == sorted(set(utc))
