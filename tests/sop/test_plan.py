"""Plans, steps, triggers and occurrences."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as du
from hypothesis import given
from hypothesis import strategies as st

from suo.errors import ScheduleError
from suo.sop import (
    AfterJoin,
    Campaign,
    CampaignOffset,
    MemberJoin,
    Occurrence,
    Once,
    Override,
    Plan,
    Recurrence,
    Step,
    Weekly,
    Where,
    holidays,
    occurrence_id,
    templates,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
W49 = (datetime(2026, 11, 30, tzinfo=SH), datetime(2026, 12, 7, tzinfo=SH))


def test_welfare_week_contract() -> None:
    plan = templates.welfare_weekly()
    occ = plan.occurrences(*W49)
    assert {o.at.strftime("%a") for o in occ} == {"Mon", "Wed", "Fri", "Sun"}
    assert [o.at for o in occ] == sorted(o.at for o in occ)
    assert all(o.at.tzinfo is not None and o.at.utcoffset() == timedelta(hours=8) for o in occ)
    ids = [o.id for o in occ]
    assert len(set(ids)) == len(ids) == 8
    assert ids == [o.id for o in plan.occurrences(*W49)]
    assert ids == [o.id for o in templates.welfare_weekly().occurrences(*W49)]
    titles = [o.step.title for o in occ]
    assert titles == [
        "Morning quote", "Today's coupon", "KOL live preview", "Members' show-offs",
        "Flash sale", "Countdown poster", "Member story call", "Next week's preview",
    ]  # fmt: skip


def test_ids_are_the_same_in_another_process() -> None:
    code = (
        "from datetime import datetime; from zoneinfo import ZoneInfo; from suo.sop import templates;"
        "sh = ZoneInfo('Asia/Shanghai');"
        "print(','.join(o.id for o in templates.welfare_weekly().occurrences("
        "datetime(2026, 11, 30, tzinfo=sh), datetime(2026, 12, 7, tzinfo=sh))))"
    )
    env_ids = [o.id for o in templates.welfare_weekly().occurrences(*W49)]
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert out.stdout.strip().split(",") == env_ids


def test_id_depends_on_instant_not_zone_and_on_every_part() -> None:
    at = datetime(2026, 12, 1, 9, tzinfo=SH)
    assert occurrence_id("p", "s", at) == occurrence_id("p", "s", at.astimezone(NY))
    base = occurrence_id("p", "s", at, "c", "m", "k")
    variants = {
        occurrence_id("p2", "s", at, "c", "m", "k"),
        occurrence_id("p", "s2", at, "c", "m", "k"),
        occurrence_id("p", "s", at + timedelta(seconds=1), "c", "m", "k"),
        occurrence_id("p", "s", at, "c2", "m", "k"),
        occurrence_id("p", "s", at, "c", "m2", "k"),
        occurrence_id("p", "s", at, "c", "m", "k2"),
        occurrence_id("p", "s", at, "c", "m", "k", "r"),
    }
    assert base not in variants
    assert len(variants) == 7


def test_weekly_0900_new_york_across_dst() -> None:
    plan = Plan("ny", [Step("standup", Weekly("MO", "09:00", tz="America/New_York"), "Stand-up")])
    occ = plan.occurrences(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert [o.at.strftime("%H:%M") for o in occ] == ["09:00"] * 9
    assert {o.at.astimezone(UTC).hour for o in occ} == {13, 14}
    assert all(o.at.weekday() == 0 for o in occ)


def test_weekly_slot_in_gap_moves_forward_and_skip_drops() -> None:
    start, end = datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 3, 15, tzinfo=NY)
    shift = Plan("g", [Step("s", Weekly("SU", "02:30"), "Night post")], tz="America/New_York")
    assert [o.at.isoformat() for o in shift.occurrences(start, end)] == [
        "2026-03-01T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
    ]
    skip = Plan(
        "g",
        [Step("s", Weekly("SU", "02:30", nonexistent="skip"), "Night post")],
        tz="America/New_York",
    )
    assert [o.at.day for o in skip.occurrences(start, end)] == [1]


def test_communities_with_their_own_zones_and_scopes() -> None:
    plan = Plan(
        "multi",
        [
            Step("all", Weekly("MO", "09:00"), "Everyone"),
            Step("flash-only", Weekly("MO", "10:00"), "Flash only", scope="kind:flash"),
            Step("c2-only", Weekly("MO", "11:00"), "Just c2", scope="c2"),
        ],
    )
    comms = [Where("c1", kind="flash"), Where("c2", tz="America/New_York"), "c3"]
    occ = plan.occurrences(
        datetime(2026, 11, 29, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC), communities=comms
    )
    got = {(o.community, o.step.id): o.at.strftime("%H:%M %Z") for o in occ}
    assert got == {
        ("c1", "all"): "09:00 CST",
        ("c1", "flash-only"): "10:00 CST",
        ("c2", "all"): "09:00 EST",
        ("c2", "c2-only"): "11:00 EST",
        ("c3", "all"): "09:00 CST",
    }
    assert [o.utc for o in occ] == sorted(o.utc for o in occ)
    assert len({o.id for o in occ}) == len(occ)

    class Community:  # any object with .id / .tz / .kind will do
        def __init__(self, id: str, tz: str, kind: str) -> None:
            self.id, self.tz, self.kind = id, tz, kind

    occ2 = plan.occurrences(*W49, communities=[Community("x", "Europe/London", "flash")])
    assert [(o.step.id, o.at.strftime("%H:%M %Z")) for o in occ2] == [
        ("all", "09:00 GMT"),
        ("flash-only", "10:00 GMT"),
    ]


def test_iter_by_community_matches_occurrences() -> None:
    plan = templates.welfare_weekly()
    comms = [f"c{i}" for i in range(5)]
    by = dict(plan.iter_by_community(*W49, comms))
    flat = plan.occurrences(*W49, communities=comms)
    assert sorted(by) == comms
    assert sorted(o.id for v in by.values() for o in v) == sorted(o.id for o in flat)
    assert all(len(v) == 8 for v in by.values())


def test_after_join_expands_per_member() -> None:
    plan = templates.traffic_onboarding()
    members = [
        MemberJoin("ann", datetime(2026, 12, 1, 23, 50, tzinfo=SH)),
        MemberJoin("bob", datetime(2026, 12, 3, 8, 0, tzinfo=SH)),
    ]
    occ = plan.occurrences(
        datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH), members=members
    )
    assert len(occ) == 10
    ann = [(o.step.id, o.at.strftime("%m-%d %H:%M")) for o in occ if o.member == "ann"]
    assert ann == [
        ("welcome", "12-01 23:50"),
        ("free-materials", "12-01 23:55"),
        ("day1-sign-in", "12-02 09:00"),
        ("day3-trial-class", "12-04 20:00"),
        ("day7-invite", "12-08 12:00"),
    ]
    assert [o.utc for o in occ] == sorted(o.utc for o in occ)
    assert plan.occurrences(datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH)) == []


def test_members_must_name_their_community_when_several() -> None:
    plan = templates.traffic_onboarding([MemberJoin("ann", datetime(2026, 12, 1, tzinfo=SH))])
    with pytest.raises(ScheduleError, match="community"):
        plan.occurrences(*W49, communities=["a", "b"])
    ok = templates.traffic_onboarding(
        [MemberJoin("ann", datetime(2026, 12, 1, tzinfo=SH), community="b")]
    )
    occ = ok.occurrences(*W49, communities=["a", "b"])
    assert {o.community for o in occ} == {"b"}


def test_flash_72h_expands_per_campaign() -> None:
    t0 = datetime(2026, 12, 12, 20, tzinfo=SH)
    plan = templates.flash_72h(t0)
    occ = plan.occurrences(datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH))
    offsets = {o.step.id: o.at - t0 for o in occ}
    assert offsets["warm-up"] == timedelta(hours=-24)
    assert offsets["open"] == timedelta(0)
    assert offsets["red-packet-rain"] < offsets["dissolve"] == timedelta(hours=72)
    assert {"countdown-48h", "countdown-24h", "low-stock", "kol-unboxing"} <= set(offsets)
    two = plan.occurrences(
        datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH),
        campaigns=[Campaign("a", t0), Campaign("b", t0 + timedelta(days=7))],
    )  # fmt: skip
    assert len(two) == 2 * len(occ)
    assert len({o.id for o in two}) == len(two)


def test_campaign_offsets_parse_and_anchor_at_end() -> None:
    assert CampaignOffset.parse("T0").offset == timedelta(0)
    assert CampaignOffset.parse("t + 3d").offset == timedelta(days=3)
    assert CampaignOffset.parse("T-30m").offset == timedelta(minutes=-30)
    assert CampaignOffset.parse("T+72h").describe() == "T+72h"
    assert CampaignOffset.parse("T+7d").describe() == "T+7d"
    for bad in ("T", "24h", "T+h", "T*2d"):
        with pytest.raises(ScheduleError):
            CampaignOffset.parse(bad)
    c = Campaign("c", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    trig = CampaignOffset(timedelta(hours=-1), anchor="end")
    ((at, _m, cid),) = trig.expand(
        datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), UTC, (), [c]
    )
    assert (at, cid) == (datetime(2026, 1, 1, 23, tzinfo=UTC), "c")
    with pytest.raises(ScheduleError, match="before it starts"):
        Campaign("c", datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))


def test_once_and_recurrence_steps() -> None:
    plan = Plan(
        "mix",
        [
            Step("launch", Once(datetime(2026, 12, 2, 12, tzinfo=SH)), "Launch"),
            Step(
                "monthly",
                Recurrence("FREQ=MONTHLY;BYDAY=1TU", datetime(2026, 1, 6, 19, tzinfo=SH)),
                "Monthly AMA",
            ),
        ],
    )
    occ = plan.occurrences(datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH))
    assert [(o.step.id, o.at.isoformat()) for o in occ] == [
        ("monthly", "2026-12-01T19:00:00+08:00"),
        ("launch", "2026-12-02T12:00:00+08:00"),
    ]


def test_holiday_overrides_skip_and_replace() -> None:
    greeting = Step(
        "holiday-greeting", Once(datetime(2000, 1, 1, tzinfo=UTC)), "Holiday greeting", role="owner"
    )
    plan = templates.welfare_weekly().with_overrides(
        Override(date(2026, 12, 4), ("fri-flash-sale",), greeting, "company day off"),
        *holidays([date(2026, 11, 30)], reason="maintenance"),
    )
    occ = plan.occurrences(*W49)
    ids = [o.step.id for o in occ]
    assert "mon-quote" not in ids
    assert "mon-coupon" not in ids
    assert "fri-flash-sale" not in ids
    rep = [o for o in occ if o.step.id == "holiday-greeting"]
    assert len(rep) == 1
    assert rep[0].replaces == "fri-flash-sale"
    assert rep[0].at == datetime(2026, 12, 4, 20, tzinfo=SH)
    assert "fri-countdown" in ids
    with pytest.raises(ScheduleError, match="unknown steps"):
        Plan(
            "p",
            [Step("a", Weekly("MO", "09:00"), "A")],
            overrides=[Override(date(2026, 1, 1), ("b",))],
        )


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Plan("bad id!", []), "plan id"),
        (lambda: Plan("p", [Step("a", Weekly("MO", "9:00"), "A")] * 2), "two steps"),
        (lambda: Plan("p", [], tz="Mars/Olympus"), "unknown time zone"),
        (lambda: Step("a", "weekly", "A"), "trigger must be"),
        (lambda: Step("a", Weekly("MO", "09:00"), " "), "title"),
        (lambda: Step("a", Weekly("MO", "09:00"), "A", duration=timedelta(0)), "duration"),
        (lambda: Step("a", Weekly("MO", "09:00"), "A", channel="fax"), "channel"),
        (lambda: Weekly("XX", "09:00"), "unknown weekday"),
        (lambda: Weekly("", "09:00"), "at least one weekday"),
        (lambda: Weekly([7], "09:00"), "outside"),
        (lambda: Weekly("MO", "25:00"), "local time"),
        (lambda: Weekly("MO", time(9, tzinfo=UTC)), "without tzinfo"),
        (lambda: Weekly("MO", "09:00", nonexistent="later"), "nonexistent"),
        (lambda: AfterJoin(days=-1), "whole number"),
        (lambda: AfterJoin(hours=2, at="09:00"), "not both"),
        (lambda: Once(datetime(2026, 1, 1)), "aware"),
        (lambda: MemberJoin("m", datetime(2026, 1, 1)), "aware"),
        (lambda: Recurrence("FREQ=NEVER", datetime(2026, 1, 1, tzinfo=UTC)), "FREQ"),
    ],
)
def test_bad_input_raises_schedule_error(build: object, fragment: str) -> None:
    with pytest.raises(ScheduleError, match=fragment):
        build()  # type: ignore[operator]


def test_window_checks() -> None:
    plan = templates.welfare_weekly()
    # Naive bounds are wall-clock times in the plan's zone.
    assert plan.occurrences(datetime(2026, 11, 30), datetime(2026, 12, 7)) == plan.occurrences(*W49)
    with pytest.raises(ScheduleError, match="must be a datetime"):
        plan.occurrences(date(2026, 11, 30), W49[1])  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="before start"):
        plan.occurrences(W49[1], W49[0])
    with pytest.raises(ScheduleError, match="twice"):
        plan.occurrences(*W49, communities=["a", "a"])
    with pytest.raises(ScheduleError, match="no step"):
        plan.step("nope")
    assert plan.step("mon-quote").role == "operator"
    assert templates.get("Flash_72h").id == "flash-72h"
    with pytest.raises(ScheduleError, match="unknown SOP template"):
        templates.get("nope")


def test_occurrence_helpers() -> None:
    o = templates.welfare_weekly().occurrences(*W49)[0]
    assert isinstance(o, Occurrence)
    assert o.end - o.at == timedelta(minutes=30)
    assert (o.title, o.role) == ("Morning quote", "operator")
    d = o.to_dict()
    assert d["id"] == o.id
    assert d["at"] == "2026-11-30T08:30:00+08:00"
    assert d["step"] == "mon-quote"


_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_DU = [du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU]


@given(
    days=st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
    hh=st.integers(0, 23),
    mm=st.sampled_from([0, 15, 30, 45]),
    tzname=st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]),
    start_day=st.integers(0, 700),
    span=st.integers(1, 120),
)
def test_property_weekly_matches_dateutil(
    days: list[int], hh: int, mm: int, tzname: str, start_day: int, span: int
) -> None:
    tz = ZoneInfo(tzname)
    plan = Plan("p", [Step("s", Weekly(days, time(hh, mm), nonexistent="skip"), "S")], tz=tzname)
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=start_day, hours=hh % 7)
    end = start + timedelta(days=span)
    occ = plan.occurrences(start, end)
    ids = [o.id for o in occ]
    assert len(set(ids)) == len(ids)
    assert ids == [o.id for o in plan.occurrences(start, end)]
    assert [o.at for o in occ] == sorted(o.at for o in occ)
    assert all(start <= o.at < end for o in occ)
    rule = du.rrule(
        du.WEEKLY, byweekday=[_DU[d] for d in days], dtstart=datetime(2024, 12, 23, hh, mm)
    )
    walls = rule.between(start.astimezone(tz).replace(tzinfo=None) - timedelta(days=2),
                         end.astimezone(tz).replace(tzinfo=None) + timedelta(days=2))  # fmt: skip
    expected = []
    for w in walls:
        aware = w.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != w:
            continue  # a DST gap: skipped, like RFC 5545
        if start <= aware < end:
            expected.append(aware.astimezone(UTC))
    assert [o.utc for o in occ] == expected


@given(
    n=st.integers(1, 6),
    joins=st.lists(st.integers(0, 60 * 24 * 30), min_size=1, max_size=6),
)
def test_property_member_expansion_unique_sorted(n: int, joins: list[int]) -> None:
    plan = templates.traffic_onboarding()
    base = datetime(2026, 12, 1, tzinfo=SH)
    members = [MemberJoin(f"m{i}", base + timedelta(minutes=j)) for i, j in enumerate(joins[:n])]
    occ = plan.occurrences(base, base + timedelta(days=40), members=members)
    assert len(occ) == 5 * len(members)
    assert [o.utc for o in occ] == sorted(o.utc for o in occ)
    assert len({o.id for o in occ}) == len(occ)
