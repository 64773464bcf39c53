"""Stats and hourly series of ONE link with a year of visit events, SQL stores.

One link gets ``N`` events spread over a year (1,000,000; 100,000 with
``--quick``), bulk-loaded through the driver, and the rollups a store's
``hit`` keeps are built from those events with ``GROUP BY`` (the same rows
``hit`` would have written one visit at a time; the benchmark checks that
both ways give the same answers). Then, per engine:

* ``link_stats`` (totals, uniques, by platform/os/outcome/target/day) from
  the rollups, beside the same numbers computed from the indexed events;
* ``visit_counts`` hourly, total and by platform, over the last week and
  over the whole year, beside the same ``GROUP BY`` over the events;
* bytes per stored event: the events table with its indexes, and with the
  rollup and visitor tables too (PostgreSQL ``pg_total_relation_size``,
  SQLite ``dbstat``).

Target: <= 50 ms for each read at 1,000,000 events.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from benchmarks._stores import bench_store
from benchmarks._util import fmt_time
from suo.shortener.model import Link
from suo.storage.sql.links import _ALL_TIME, visit_hours, visitors, visits

START = datetime(2025, 12, 1, tzinfo=UTC)
END = START + timedelta(days=365)
PLATFORMS = ["wechat"] * 5 + ["browser"] * 3 + ["qq", "weibo", "alipay"]
OSES = ["ios"] * 4 + ["android"] * 5 + ["windows", "macos", "linux"]
OUTCOMES = ["redirect"] * 8 + ["guide", "page"]
REFERRERS = [None] * 10 + [f"r{i}.example.com" for i in range(20)]
LANGUAGES = [None, "zh-cn", "zh-cn", "zh-tw", "en-us", "ja"]


def _events(n: int, code: str) -> list[dict[str, Any]]:
    rnd = random.Random(7)
    span = (END - START).total_seconds()
    ats = sorted(rnd.random() * span for _ in range(n))
    out = []
    for s in ats:
        at = START + timedelta(seconds=s)
        bot = rnd.random() < 0.05
        out.append(
            {
                "code": code,
                "at": at,
                "platform": "bot" if bot else rnd.choice(PLATFORMS),
                "os": rnd.choice(OSES),
                "bot": bot,
                "outcome": rnd.choice(OUTCOMES),
                "language": rnd.choice(LANGUAGES),
                "referrer": rnd.choice(REFERRERS),
                "target": None,
                "utm": '{"utm_source":"moments"}' if rnd.random() < 0.2 else None,
                # about two visits per visitor and day
                "visitor": f"{rnd.getrandbits(64) % (n // 2 or 1):016x}" if not bot else None,
            }
        )
    return out


def _load(store: Any, code: str, n: int) -> None:
    store.create_link(Link(code=code, target="https://example.com/", created_at=START))
    rows = _events(n, code)
    with store._tx() as conn:
        for i in range(0, n, 20_000):
            conn.execute(visits.insert(), rows[i : i + 20_000])
    humans = [r for r in rows if not r["bot"]]
    with store._tx() as conn:
        conn.execute(
            sa.text(
                f"UPDATE {store._table_name(sa.table('suo_link_counts'))} SET clicks = :c,"
                " visits = :v, bots = :b, first_visit = :f, last_visit = :l WHERE code = :code"
            ),
            {
                "c": sum(r["outcome"] == "redirect" for r in humans),
                "v": len(humans),
                "b": n - len(humans),
                "f": humans[0]["at"].replace(tzinfo=None),
                "l": humans[-1]["at"].replace(tzinfo=None),
                "code": code,
            },
        )
    _rollups_from_events(store, code)


def _hour(store: Any) -> Any:
    """The event's hour as the rollups number it (whole hours since 1970 UTC)."""
    at = visits.c.at
    if store.dialect == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", at) / 3600), sa.Integer)
    return sa.cast(sa.func.strftime("%s", at), sa.Integer) // 3600


def _rollups_from_events(store: Any, code: str) -> None:
    """The rows ``hit`` keeps, built at once from the events (``INSERT ... SELECT``)."""
    v = visits.c
    hour = _hour(store)
    human = sa.and_(v.code == code, v.bot == sa.false())
    with store._tx() as conn:
        for dim in ("total", "platform", "os", "outcome", "target", "referrer", "language"):
            key: Any = sa.literal("") if dim == "total" else sa.func.coalesce(v[dim], "")
            sel = sa.select(sa.literal(code), sa.literal(dim), hour, key, sa.func.count())
            sel = sel.where(human).group_by(hour, key)
            conn.execute(
                sa.insert(visit_hours).from_select(["code", "dim", "hour", "key", "n"], sel)
            )
        for dim in ("platform", "os", "outcome", "target"):
            sel = sa.select(
                sa.literal(code), sa.literal("all:" + dim), sa.literal(_ALL_TIME),
                v[dim], sa.func.count(),
            ).where(human, v[dim].is_not(None)).group_by(v[dim])  # fmt: skip
            conn.execute(
                sa.insert(visit_hours).from_select(["code", "dim", "hour", "key", "n"], sel)
            )
        first = (
            sa.select(v.code, v.visitor, sa.func.min(v.at))
            .where(human, v.visitor.is_not(None))
            .group_by(v.code, v.visitor)
        )
        conn.execute(sa.insert(visitors).from_select(["code", "visitor", "seen"], first))
        uniques = sa.select(sa.func.count()).select_from(visitors).where(visitors.c.code == code)
        conn.execute(
            visit_hours.insert().values(
                code=code, dim="all:uniques", hour=_ALL_TIME, key="",
                n=uniques.scalar_subquery(),
            )
        )  # fmt: skip


def _stats_from_events(store: Any, code: str) -> dict[str, Any]:
    """The baseline: the same breakdowns computed from the indexed events."""
    v = visits.c
    human = sa.and_(v.code == code, v.bot == sa.false())
    out: dict[str, Any] = {}
    with store._tx() as conn:
        for dim in ("platform", "os", "outcome", "target"):
            q = sa.select(v[dim], sa.func.count()).where(human, v[dim].is_not(None))
            out[dim] = dict(conn.execute(q.group_by(v[dim])).all())
        if store.dialect == "postgresql":
            day: Any = sa.func.to_char(v.at, "YYYY-MM-DD")
        else:
            day = sa.func.substr(v.at, 1, 10)
        out["day"] = dict(
            conn.execute(sa.select(day, sa.func.count()).where(human).group_by(day)).all()
        )
        out["uniques"] = conn.execute(
            sa.select(sa.func.count(sa.distinct(v.visitor))).where(human)
        ).scalar()
    return out


def _counts_from_events(
    store: Any, code: str, start: datetime, end: datetime, by: str | None
) -> list[Any]:
    v = visits.c
    hour = _hour(store)
    key: Any = sa.literal(None) if by is None else v[by]
    q = (
        sa.select(hour, key, sa.func.count())
        .where(v.code == code, v.bot == sa.false(), v.at >= start, v.at < end)
        .group_by(hour, key)
    )
    with store._tx() as conn:
        return list(conn.execute(q))


def _counts_pair(
    store: Any, code: str, start: datetime, end: datetime, by: str | None
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """``visit_counts`` from the rollups, and the same from the events."""

    def ours() -> Any:
        return store.visit_counts([code], start=start, end=end, by=by)

    def theirs() -> Any:
        return _counts_from_events(store, code, start, end, by)

    return ours, theirs


def _best(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _bytes(store: Any, n: int) -> tuple[float, float]:
    names = ("suo_visits", "suo_visit_hours", "suo_visitors")
    with store._tx() as conn:
        if store.dialect == "postgresql":
            sizes = [
                conn.execute(
                    sa.text("SELECT pg_total_relation_size(:t)"),
                    {"t": f'"{store.schema}".{name}'},
                ).scalar_one()
                for name in names
            ]
        else:
            q = sa.text(
                "SELECT sum(d.pgsize) FROM dbstat d JOIN sqlite_master m ON d.name = m.name"
                " WHERE m.tbl_name = :t"
            )
            sizes = [conn.execute(q, {"t": name}).scalar_one() or 0 for name in names]
    return sizes[0] / n, sum(sizes) / n


def main(quick: bool) -> None:
    n = 100_000 if quick else 1_000_000
    repeat = 3 if quick else 5
    code = "year"
    week = (END - timedelta(days=7), END)
    for kind in ("sqlite", "postgres"):
        with bench_store(kind) as store:
            t0 = time.perf_counter()
            _load(store, code, n)
            if store.dialect == "postgresql":
                with store._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(sa.text(f'VACUUM ANALYZE "{store.schema}".suo_visits'))
                    c.execute(sa.text(f'VACUUM ANALYZE "{store.schema}".suo_visit_hours'))
            else:
                with store._tx() as conn:
                    conn.execute(sa.text("ANALYZE"))
            load = time.perf_counter() - t0
            # The rollups answer what the events answer.
            stats = store.link_stats(code)
            base = _stats_from_events(store, code)
            assert dict(stats.by_platform) == base["platform"]
            assert dict(stats.by_os) == base["os"]
            assert dict(stats.by_outcome) == base["outcome"]
            assert dict(stats.by_day) == base["day"]
            assert stats.uniques == base["uniques"]
            got = store.visit_counts([code], start=week[0], end=week[1], by="platform")
            assert sum(r[2] for r in got) == sum(
                r[2] for r in _counts_from_events(store, code, *week, "platform")
            )
            rows = [
                (
                    "link_stats",
                    _best(lambda: store.link_stats(code), repeat),
                    _best(lambda: _stats_from_events(store, code), 1 if not quick else repeat),
                ),
            ]
            for label, (start, end) in (("last week", week), ("whole year", (START, END))):
                for by in (None, "platform"):
                    ours, theirs = _counts_pair(store, code, start, end, by)
                    rows.append(
                        (
                            f"visit_counts {label}, by={by}",
                            _best(ours, repeat),
                            _best(theirs, 1 if not quick else repeat),
                        )
                    )
            per_event, per_event_all = _bytes(store, n)
        print(f"\n## {kind}: one link, {n:,} events over a year (loaded in {load:.0f} s)")
        print("target: <= 50 ms per read at 1,000,000 events")
        print(f"{'read':<34} {'rollups':>10}   {'GROUP BY events':>15}   ratio")
        for label, ours, theirs in rows:
            print(
                f"{label:<34} {fmt_time(ours):>10}   {fmt_time(theirs):>15}   {ours / theirs:5.3f}x"
            )
        print(
            f"bytes per event: {per_event:.0f} B (events table and its indexes),"
            f" {per_event_all:.0f} B with rollups and visitors"
        )
