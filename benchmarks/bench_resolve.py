"""``Shortener.resolve`` per backend vs the engine's own minimum for the same work.

Baselines (issue 2):
* memory: a hand-written dict resolver doing the same checks (expiry, cap,
  counter, platform/os/day breakdowns);
* SQL: the same ``SELECT`` + ``UPDATE`` through SQLAlchemy Core on the same engine;
* Redis: one pipelined ``GET`` + ``INCR`` through redis-py on the same client.

Targets: <= 2x on memory, <= 1.3x on SQL and Redis.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from benchmarks._stores import available, bench_store
from benchmarks._util import compare, report
from suo.antiblock import detect
from suo.shortener import Shortener

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def dict_resolver() -> Any:
    """The floor for in-process resolution: plain dicts, the same checks."""
    links = {"bench": {"target": "https://example.com/", "expires_at": None, "max_clicks": None}}
    clicks: Counter[str] = Counter()
    platform: Counter[str] = Counter()
    os_: Counter[str] = Counter()
    day: Counter[str] = Counter()

    def resolve(code: str) -> tuple[str, str] | None:
        now = datetime.now(UTC)
        link = links.get(code)
        if link is None:
            return None
        if link["expires_at"] is not None and now >= link["expires_at"]:
            return None
        cap = link["max_clicks"]
        if cap is not None and clicks[code] >= cap:
            return None
        clicks[code] += 1
        platform["browser"] += 1
        os_["windows"] += 1
        day[now.date().isoformat()] += 1
        return ("redirect", link["target"])

    return resolve


def sql_baseline(store: Any) -> Any:
    from suo.storage.sql.links import link_counts, links

    engine = store._engine
    select = sa.select(links.c.data).where(links.c.code == "bench")
    update = (
        link_counts.update()
        .where(link_counts.c.code == "bench")
        .values(clicks=link_counts.c.clicks + 1)
    )

    def resolve() -> str:
        with engine.begin() as conn:
            data = conn.execute(select).scalar()
            conn.execute(update)
        return str(json.loads(data)["target"])

    return resolve


def redis_baseline(store: Any) -> Any:
    r = store._r
    key_link, key_n = store._key("bench", "link"), store._key("bench", "n")

    def resolve() -> str:
        pipe = r.pipeline(transaction=False)
        pipe.get(key_link)
        pipe.incr(key_n + "-baseline")
        data, _ = pipe.execute()
        return str(json.loads(data)["target"])

    return resolve


def main(quick: bool) -> None:
    number = 200 if quick else 2000
    rows = []
    for kind in available():
        with bench_store(kind) as store:
            s = Shortener(store)
            s.shorten("https://example.com/", alias="bench")
            if kind == "memory":
                resolver = dict_resolver()
                base_fn: Any = lambda r=resolver: r("bench")  # noqa: E731
                label = "dict resolver"
            elif kind == "redis":
                base_fn = redis_baseline(store)
                label = "redis-py GET+INCR pipelined"
            else:
                base_fn = sql_baseline(store)
                label = "SQLAlchemy Core SELECT+UPDATE"
            n = number if kind == "memory" else max(50, number // 10)
            ours, base = compare(lambda s=s: s.resolve("bench", user_agent=UA), base_fn, number=n)
            rows.append((f"resolve() on {kind}", ours, f"{label} ({kind})", base))
            if kind == "memory":
                # Context, not the target: the same floor plus the UA classification
                # that resolve must do before any policy can be applied.
                with_detect: Any = lambda r=resolver: (detect(UA), r("bench"))  # noqa: E731
                ours, base = compare(
                    lambda s=s: s.resolve("bench", user_agent=UA), with_detect, number=n
                )
                rows.append(
                    ("resolve() on memory", ours, "dict resolver + detect() (memory)", base)
                )
    report(
        "resolve() per backend vs the engine's minimum",
        rows,
        target="<= 2x on memory, <= 1.3x on SQL and Redis",
    )
