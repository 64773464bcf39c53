"""SOP expansion: a year of welfare_weekly() for many communities vs dateutil.rrule.

The baseline is what a scheduler without suo would write: for every
community and every step, a ``dateutil.rrule`` WEEKLY rule with an aware
dtstart, listed for the year. suo expands each distinct (zone, steps) once
and derives every community's occurrences from it; ids are computed when
first read, so a row with ids forced is shown as well. Both sides produce the
same instants (checked below before timing).

Run: ``python -m benchmarks sop`` (10,000 communities) or ``--quick`` (1,000).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from benchmarks._util import measure_batch, report
from suo.sop import templates

_DU_DAYS = [du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU]


def main(quick: bool) -> None:
    n = 1_000 if quick else 10_000
    repeat = 2
    tz = ZoneInfo("Asia/Shanghai")
    start, end = datetime(2027, 1, 1, tzinfo=tz), datetime(2028, 1, 1, tzinfo=tz)
    plan = templates.welfare_weekly()
    communities = [f"c{i:05d}" for i in range(n)]
    rules = [
        (s.trigger.days, datetime.combine(start.date(), s.trigger.at, tzinfo=tz))  # type: ignore[attr-defined]
        for s in plan.steps
    ]

    def baseline() -> int:
        total = 0
        for _cid in communities:
            for days, dtstart in rules:
                got = [
                    d for d in du.rrule(du.WEEKLY, byweekday=[_DU_DAYS[x] for x in days], dtstart=dtstart, until=end)
                    if d < end
                ]  # fmt: skip
                total += len(got)
        return total

    def suo_stream() -> int:
        total = 0
        for _cid, occs in plan.iter_by_community(start, end, communities):
            total += len(occs)
        return total

    def suo_with_ids() -> int:
        total = 0
        for _cid, occs in plan.iter_by_community(start, end, communities):
            total += len({o.id for o in occs})
        return total

    # Same instants on both sides (one community is enough: all are alike here).
    ours = sorted(o.utc for o in plan.occurrences(start, end, communities=communities[:1]))
    theirs = sorted(
        d.astimezone(ZoneInfo("UTC"))
        for days, dtstart in rules
        for d in du.rrule(
            du.WEEKLY, byweekday=[_DU_DAYS[x] for x in days], dtstart=dtstart, until=end
        )
        if d < end
    )
    assert ours == theirs, "suo and dateutil disagree"
    items = len(ours) * n
    print(f"{n:,} communities x {len(plan.steps)} steps x 1 year = {items:,} occurrences")

    t_base = measure_batch(baseline, items=items, repeat=repeat)
    t_suo = measure_batch(suo_stream, items=items, repeat=repeat)
    t_ids = measure_batch(suo_with_ids, items=items, repeat=repeat)
    small = communities[: min(n, 1_000)]
    small_items = len(ours) * len(small)

    def suo_sorted() -> int:
        return len(plan.occurrences(start, end, communities=small))

    def base_sorted() -> int:
        out = []
        for _cid in small:
            for days, dtstart in rules:
                out.extend(
                    d for d in du.rrule(du.WEEKLY, byweekday=[_DU_DAYS[x] for x in days], dtstart=dtstart, until=end)
                    if d < end
                )  # fmt: skip
        out.sort()
        return len(out)

    t_sorted = measure_batch(suo_sorted, items=small_items, repeat=repeat)
    t_base_sorted = measure_batch(base_sorted, items=small_items, repeat=repeat)
    report(
        f"a year of welfare_weekly() for {n:,} communities (time per occurrence; totals: "
        f"suo {t_suo * items:.2f} s, dateutil {t_base * items:.2f} s)",
        [
            (
                "plan.iter_by_community (Occurrence objects)",
                t_suo,
                "dateutil.rrule per community+step",
                t_base,
            ),
            ("same, every .id computed", t_ids, "dateutil.rrule per community+step", t_base),
            (
                f"plan.occurrences, one sorted list ({len(small):,} comm.)",
                t_sorted,
                "dateutil.rrule + sort",
                t_base_sorted,
            ),
        ],
        target="<= 1.5x dateutil",
    )
