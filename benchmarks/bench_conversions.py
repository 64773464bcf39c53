"""Click ids and conversions: what they cost, per backend, measured in the same run.

* ``resolve()`` of a link with click ids vs the same link without (the cost
  of minting the id, storing the click and rewriting the Location);
* ``track()`` vs the store's own ``add_conversion`` of a prepared
  :class:`~suo.shortener.Conversion` (the cost of validation and the
  click-id lookup);
* ``funnel()`` over a link's clicks and conversions vs a hand-written pass
  over the same events and conversions, read from the same store.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from benchmarks._stores import available, bench_store
from benchmarks._util import compare, report
from suo.shortener import Conversion, Shortener
from suo.shortener.conversions import new_click_id

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def _hand_funnel(store: Any, code: str) -> tuple[int, int, int]:
    clicks = sum(1 for v in store.visits(code) if not v.bot and v.outcome in ("redirect", "page"))
    events: dict[str, set[str]] = {}
    for c in store.conversions(code):
        events.setdefault(c.click_id, set()).add(c.event)
    have = Counter[str]()
    for evs in events.values():
        if "join" in evs:
            have["join"] += 1
            if "purchase" in evs:
                have["purchase"] += 1
    return clicks, have["join"], have["purchase"]


def main(quick: bool) -> None:
    number = 200 if quick else 2000
    rows = []
    for kind in available():
        n = number if kind == "memory" else max(50, number // 10)
        with bench_store(kind) as store:
            s = Shortener(store)
            s.shorten("https://example.com/", alias="plain")
            s.shorten("https://example.com/", alias="cid", click_ids=True)
            ours, base = compare(
                lambda s=s: s.resolve("cid", user_agent=UA),
                lambda s=s: s.resolve("plain", user_agent=UA),
                number=n,
            )
            rows.append((f"resolve() with click ids ({kind})", ours, "resolve() without", base))

            ids = [s.resolve("cid", user_agent=UA).click_id for _ in range(n * 16)]
            visit = store.visit_by_click(ids[0])
            at = datetime.now(UTC)
            mine = iter(ids)
            theirs = iter(range(10**9))
            ours, base = compare(
                lambda s=s, mine=mine: s.track(next(mine), "join"),
                lambda store=store, theirs=theirs, visit=visit, at=at: store.add_conversion(
                    Conversion(f"x{next(theirs):09d}{new_click_id()[:8]}", "join", at, visit)
                ),
                number=n,
            )
            rows.append((f"track() ({kind})", ours, "store.add_conversion() alone", base))
            for cid in ids[: len(ids) // 2 : 3]:
                s.track(cid, "purchase")
            few = max(3, n // 50)
            ours, base = compare(
                lambda s=s: s.funnel("cid"),
                lambda store=store: _hand_funnel(store, "cid"),
                number=few,
                rounds=3,
            )
            assert tuple(x.count for x in s.funnel("cid").steps) == _hand_funnel(store, "cid")
            clicks = s.funnel("cid").steps[0].count
            rows.append((f"funnel() of {clicks} clicks ({kind})", ours, "hand-written pass", base))
    report("click ids, track() and funnel() per backend", rows)
