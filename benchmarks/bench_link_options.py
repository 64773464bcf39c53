"""What each issue-15 option costs a resolve, beside a plain link in the same run.

* pass-through: ``pass_query=True`` with a 3-parameter query vs the same visit
  to a plain link;
* A/B split: a 70/30 split, every visit a returning visitor (sticky lookup),
  and every visit a new visitor (counter + claim), vs a plain link with the
  same IP (so both compute the visitor id);
* expired_url on a live link (the option is only read when the link is gone);
* a resolve with ``host=`` on a store with two domains vs without ``host``.

The password check is left out on purpose: scrypt costs ~50 ms by design.
"""

from __future__ import annotations

import itertools
from typing import Any

from benchmarks._stores import available, bench_store
from benchmarks._util import compare, report
from suo.shortener import Shortener

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
Q = "utm_source=group12&utm_medium=wechat&x=1"
SPLIT = [("https://example.com/a", 70), ("https://example.com/b", 30)]


def main(quick: bool) -> None:
    rows = []
    for kind in available(("memory", "redis", "postgres")):
        n = (300 if quick else 3000) if kind == "memory" else (30 if quick else 300)
        with bench_store(kind) as store:
            s = Shortener(store)
            s.shorten("https://example.com/", alias="plain")
            s.shorten("https://example.com/", alias="pass", pass_query=True)
            s.shorten("https://example.com/", alias="ab", variants=SPLIT)
            s.shorten("https://example.com/", alias="exp", expired_url="https://example.com/x")
            fresh = itertools.count()

            def plain(ip: str = "203.0.113.9", s: Any = s) -> Any:
                return s.resolve("plain", user_agent=UA, ip=ip, query=Q)

            def new_ip(fresh: Any = fresh) -> str:
                i = next(fresh)
                return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"

            cases: list[tuple[str, Any, Any]] = [
                ("pass_query", lambda s=s: s.resolve("pass", user_agent=UA, ip="203.0.113.9", query=Q), plain),
                ("A/B, returning visitor", lambda s=s: s.resolve("ab", user_agent=UA, ip="203.0.113.9", query=Q), plain),
                ("A/B, new visitor", lambda s=s: s.resolve("ab", user_agent=UA, ip=new_ip(), query=Q),
                 lambda: plain(new_ip())),
                ("expired_url (not expired)", lambda s=s: s.resolve("exp", user_agent=UA, ip="203.0.113.9", query=Q), plain),
            ]  # fmt: skip
            for label, fn, base in cases:
                ours, theirs = compare(fn, base, number=n)
                rows.append((f"{label} ({kind})", ours, f"plain link ({kind})", theirs))
        if kind == "memory":
            with bench_store(kind) as store:
                s = Shortener(store, base_url="https://s.example/")
                s.domains.add("go.brand.example")
                s.shorten("https://example.com/", alias="d", domain="go.brand.example")
                s.shorten("https://example.com/", alias="d")
                ours, theirs = compare(
                    lambda s=s: s.resolve("d", user_agent=UA, host="go.brand.example"),
                    lambda s=s: s.resolve("d", user_agent=UA),
                    number=n,
                )
                rows.append(("host= on 1 domain (memory)", ours, "no host (memory)", theirs))
    report("issue-15 link options vs a plain link", rows, target="(cost, not a target)")
