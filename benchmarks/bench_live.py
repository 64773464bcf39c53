"""Live-code visits beside plain short-link visits, per backend.

A live-code visit costs more round trips than a plain redirect: list the
targets, claim a slot atomically, record the visit (and, for round robin,
advance the counter). This measures what that costs on each backend, next
to a plain link's ``resolve`` in the same run. Landing-page QR renders are
cached, so the page itself is not the cost.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from benchmarks._util import measure, report
from suo import Shortener
from suo.shortener import LiveTarget
from suo.storage import open_store


def _stores() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [
        ("memory", open_store("memory://")),
        ("sqlite", open_store("sqlite://")),
    ]
    token = uuid.uuid4().hex[:8]
    pg = os.environ.get("SUO_TEST_POSTGRES_URL")
    if pg:
        out.append(("postgres", open_store(pg, schema=f"suo_bench_{token}")))
    rd = os.environ.get("SUO_TEST_REDIS_URL")
    if rd:
        out.append(("redis", open_store(rd, prefix=f"suo-bench-{token}")))
    return out


def main(quick: bool) -> None:
    number = 20 if quick else 200
    rows: list[tuple[str, float, str, float]] = []
    for name, store in _stores():
        try:
            s = Shortener(store, base_url="https://s.example/")
            s.shorten("https://example.com/plain", alias="plain")
            for strategy in ("fill_first", "round_robin", "weighted"):
                s.shorten_live(
                    [LiveTarget(f"https://weixin.qq.com/g/{strategy}{i}") for i in range(3)],
                    alias=f"live-{strategy}",
                    strategy=strategy,
                )
            plain = measure(lambda sh=s: sh.resolve("plain"), number=number)
            for strategy in ("fill_first", "round_robin", "weighted"):
                t = measure(lambda sh=s, st=strategy: sh.resolve(f"live-{st}"), number=number)
                rows.append((f"{name}: live {strategy}", t, f"{name}: plain link", plain))
        finally:
            if hasattr(store, "drop_schema") and name == "postgres":
                store.drop_schema()
            if hasattr(store, "drop_all"):
                store.drop_all()
            store.close()
    report(
        "resolve(): live-code visit vs plain redirect",
        rows,
        target="a live visit within ~3x of a plain one (2-3 extra atomic round trips)",
    )
