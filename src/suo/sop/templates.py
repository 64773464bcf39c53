"""Plans from the playbook, ready to run or to copy and adapt.

* :func:`welfare_weekly` — the welfare community's week: Monday morning quote
  and today's coupon; Wednesday KOL live preview and members' show-offs;
  Friday flash sale with its countdown poster; Sunday member story call and
  next week's preview.
* :func:`flash_72h` — a 72-hour flash community: warm-up at T-24h, open at
  T0 with a KOL unboxing, countdown and low-stock reminders, a red-packet
  rain close, dissolve at T+72h.
* :func:`traffic_onboarding` — a traffic group's new member: join-day welcome
  and free materials, day-1 sign-in, day-3 trial class, day-7 invite-a-friend
  reward.

Titles are English; each step's ``content`` is a key (``"welfare/monday-quote"``)
that your content library maps to the zh-CN (or any) post.

Examples:
    >>> from suo.sop import templates
    >>> [s.id for s in templates.welfare_weekly().steps][:2]
    ['mon-quote', 'mon-coupon']
    >>> sorted(templates.TEMPLATES)
    ['flash-72h', 'traffic-onboarding', 'welfare-weekly']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from suo.errors import ScheduleError
from suo.sop.plan import Plan, Step
from suo.sop.triggers import AfterJoin, Campaign, CampaignOffset, MemberJoin, Weekly

__all__ = ["TEMPLATES", "flash_72h", "get", "traffic_onboarding", "welfare_weekly"]


def welfare_weekly(*, tz: str = "Asia/Shanghai", plan_id: str = "welfare-weekly") -> Plan:
    """The welfare community's week (Mon, Wed, Fri, Sun), in ``tz``.

    Examples:
        >>> plan = welfare_weekly()
        >>> sorted({d for s in plan.steps for d in s.trigger.days})
        [0, 2, 4, 6]
    """
    s = [
        Step("mon-quote", Weekly("MO", "08:30"), "Morning quote", "welfare/monday-quote", "operator"),
        Step("mon-coupon", Weekly("MO", "10:00"), "Today's coupon", "welfare/monday-coupon", "operator", channel="mass"),
        Step("wed-live-preview", Weekly("WE", "12:00"), "KOL live preview", "welfare/wednesday-live-preview", "kol"),
        Step("wed-showoffs", Weekly("WE", "20:00"), "Members' show-offs", "welfare/wednesday-showoffs", "operator"),
        Step("fri-flash-sale", Weekly("FR", "20:00"), "Flash sale", "welfare/friday-flash-sale", "operator", channel="mass"),
        Step("fri-countdown", Weekly("FR", "20:30"), "Countdown poster", "welfare/friday-countdown-poster", "operator"),
        Step("sun-story-call", Weekly("SU", "19:00"), "Member story call", "welfare/sunday-story-call", "owner"),
        Step("sun-next-week", Weekly("SU", "21:00"), "Next week's preview", "welfare/sunday-next-week", "operator"),
    ]  # fmt: skip
    return Plan(plan_id, s, title="Welfare community week", tz=tz)


def flash_72h(
    start: datetime | None = None,
    *,
    campaign: str = "flash",
    tz: str = "Asia/Shanghai",
    plan_id: str = "flash-72h",
) -> Plan:
    """The 72-hour flash campaign; with ``start`` the plan carries that campaign.

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> plan = flash_72h(datetime(2026, 12, 12, 20, tzinfo=sh))
        >>> [o.step.id for o in plan.occurrences(datetime(2026, 12, 1, tzinfo=sh), datetime(2027, 1, 1, tzinfo=sh))][:3]
        ['warm-up', 'open', 'kol-unboxing']
    """
    t = CampaignOffset.parse
    s = [
        Step("warm-up", t("T-24h"), "Warm-up teaser", "flash/warm-up", "operator", channel="mass"),
        Step("open", t("T0"), "Doors open", "flash/open", "owner"),
        Step("kol-unboxing", CampaignOffset(timedelta(minutes=10)), "KOL unboxing", "flash/kol-unboxing", "kol", duration=timedelta(hours=1)),
        Step("countdown-48h", t("T+24h"), "Countdown: 48 hours left", "flash/countdown", "operator"),
        Step("low-stock", t("T+36h"), "Low-stock reminder", "flash/low-stock", "cheerleader"),
        Step("countdown-24h", t("T+48h"), "Countdown: 24 hours left", "flash/countdown", "operator"),
        Step("last-call", t("T+70h"), "Last call: 2 hours left", "flash/last-call", "operator", channel="mass"),
        Step("red-packet-rain", CampaignOffset(timedelta(hours=71)), "Red-packet rain close", "flash/red-packet-rain", "owner", duration=timedelta(minutes=45)),
        Step("dissolve", t("T+72h"), "Dissolve the group", "flash/dissolve", "owner", duration=timedelta(minutes=15)),
    ]  # fmt: skip
    campaigns = () if start is None else (Campaign(campaign, start, start + timedelta(hours=72)),)
    return Plan(plan_id, s, title="72-hour flash campaign", tz=tz, campaigns=campaigns)


def traffic_onboarding(
    members: Iterable[MemberJoin] = (),
    *,
    tz: str = "Asia/Shanghai",
    plan_id: str = "traffic-onboarding",
) -> Plan:
    """A traffic group's onboarding, expanded per member who joins.

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> m = MemberJoin("u1", datetime(2026, 12, 1, 21, 40, tzinfo=sh))
        >>> occ = traffic_onboarding([m]).occurrences(datetime(2026, 12, 1, tzinfo=sh), datetime(2026, 12, 31, tzinfo=sh))
        >>> [(o.step.id, o.at.strftime("%m-%d %H:%M")) for o in occ]
        [('welcome', '12-01 21:40'), ('free-materials', '12-01 21:45'), ('day1-sign-in', '12-02 09:00'), ('day3-trial-class', '12-04 20:00'), ('day7-invite', '12-08 12:00')]
    """
    s = [
        Step("welcome", AfterJoin(), "Welcome message", "traffic/welcome", "operator", channel="private", duration=timedelta(minutes=5)),
        Step("free-materials", AfterJoin(minutes=5), "Send free materials", "traffic/free-materials", "operator", channel="private", duration=timedelta(minutes=5)),
        Step("day1-sign-in", AfterJoin(days=1, at="09:00"), "Day-1 sign-in", "traffic/day1-sign-in", "cheerleader", channel="private", duration=timedelta(minutes=5)),
        Step("day3-trial-class", AfterJoin(days=3, at="20:00"), "Day-3 trial class", "traffic/day3-trial-class", "kol", channel="private", duration=timedelta(minutes=5)),
        Step("day7-invite", AfterJoin(days=7, at="12:00"), "Day-7 invite-a-friend reward", "traffic/day7-invite", "operator", channel="private", duration=timedelta(minutes=5)),
    ]  # fmt: skip
    return Plan(plan_id, s, title="Traffic group onboarding", tz=tz, members=tuple(members))


TEMPLATES: dict[str, Callable[[], Plan]] = {
    "welfare-weekly": welfare_weekly,
    "flash-72h": flash_72h,
    "traffic-onboarding": traffic_onboarding,
}
"""Built-in templates by CLI name."""


def get(name: str) -> Plan:
    """A built-in template by name (``welfare-weekly``, ``flash-72h``, ``traffic-onboarding``).

    Examples:
        >>> get("welfare_weekly").id
        'welfare-weekly'
    """
    key = name.strip().lower().replace("_", "-")
    if key not in TEMPLATES:
        raise ScheduleError(f"unknown SOP template {name!r}; have {', '.join(sorted(TEMPLATES))}")
    return TEMPLATES[key]()
