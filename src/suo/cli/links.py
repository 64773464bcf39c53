"""``suo shorten | resolve | stats | list | delete | demo``."""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
from datetime import UTC, datetime
from typing import Any

from suo.cli._args import read_duration
from suo.errors import InvalidInput, PolicyError

DEMO_UAS = {
    "WeChat on iPhone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN"
    ),
    "QQ on Android": (
        "Mozilla/5.0 (Linux; Android 13; V2232A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/046613 "
        "Mobile Safari/537.36 V1_AND_SQ_8.9.80_4614_YYB_D QQ/8.9.80.12440 NetType/WIFI"
    ),
    "Chrome on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    ),
    "Safari on iPhone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
    ),
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
}


def parse_when(text: str, now: datetime) -> datetime:
    """``7d`` / ``12h`` / ``30m`` from now, or an ISO 8601 time (UTC if no offset)."""
    span = read_duration(text)
    if span is not None:
        return now + span
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--expires {text!r}: give a duration like 7d, 12h, 30m or an ISO time "
            "like 2026-12-31T23:59+08:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_policy(spec: str) -> Any:
    """``anti-block``, ``only:wechat,qq``, ``mobile-only``, ``no-bots`` -> AccessPolicy."""
    from suo.antiblock import AccessPolicy, Platform

    name, _, args = spec.partition(":")
    name = name.strip().lower().replace("_", "-")
    if name == "only":
        try:
            platforms = [Platform(p.strip().lower()) for p in args.split(",") if p.strip()]
        except ValueError as exc:
            raise PolicyError(
                f"--policy {spec!r}: {exc}; platforms: {', '.join(p.value for p in Platform)}"
            ) from None
        if not platforms:
            raise PolicyError("--policy only: needs platforms, e.g. only:wechat,qq")
        return AccessPolicy.only(*platforms)
    presets = {"anti-block": "anti_block", "mobile-only": "mobile_only", "no-bots": "no_bots"}
    if name in presets and not args:
        return getattr(AccessPolicy, presets[name])()
    raise PolicyError(
        f"unknown --policy {spec!r}; use anti-block, only:wechat,qq, mobile-only or no-bots"
    )


def _shortener(args: argparse.Namespace) -> Any:
    from suo.cli import default_store_url
    from suo.shortener import Shortener

    kwargs: dict[str, Any] = {}
    if getattr(args, "base_url", None):
        kwargs["base_url"] = args.base_url
    if getattr(args, "allow_private_hosts", False):
        from suo.shortener.urls import URLPolicy

        kwargs["url_policy"] = URLPolicy(allow_private_hosts=True)
    return Shortener(args.store or default_store_url(), cache_ttl=0, **kwargs)


def cmd_shorten(args: argparse.Namespace) -> int:
    s = _shortener(args)
    expires = parse_when(args.expires, s.clock()) if args.expires else None
    link = s.shorten(
        args.url,
        alias=args.alias,
        expires_at=expires,
        max_clicks=args.max_clicks,
        policy=parse_policy(args.policy) if args.policy else None,
        tags=args.tag or (),
    )
    print(link.code)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    s = _shortener(args)
    d = s.resolve(args.code, user_agent=args.ua, accept_language=args.lang)
    print(f"{d.kind.value} {d.status}" + (f" {d.location}" if d.location else ""))
    if args.body and d.body:
        print(d.body)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    s = _shortener(args)
    if args.by or args.interval or args.tz:
        series = s.timeseries(args.code, interval=args.interval or "hour", by=args.by, tz=args.tz)
        if args.json:
            print(json.dumps(series_json(args.code, series), ensure_ascii=False, indent=2))
        else:
            print(series_table(series))
        return 0
    st = s.stats(args.code)
    if args.json:
        print(json.dumps(stats_json(st), ensure_ascii=False, indent=2))
        return 0
    print(f"code: {st.code}")
    print(f"clicks: {st.clicks}  visits: {st.visits}  bots: {st.bots}")
    print(f"people: {st.uniques}  (distinct visitors, counted per day)")
    print(f"first visit: {st.first_visit or '-'}  last visit: {st.last_visit or '-'}")
    for title, counts in (
        ("platform", st.by_platform),
        ("os", st.by_os),
        ("day", st.by_day),
        ("outcome", st.by_outcome),
        ("target", st.by_target),
    ):
        if counts:
            print(f"by {title}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 0


def stats_json(st: Any) -> dict[str, Any]:
    """A :class:`~suo.shortener.Stats` as JSON-ready data (times in UTC ISO 8601).

    Example:
        >>> from suo.shortener import Stats
        >>> stats_json(Stats("sale", clicks=3, uniques=2, by_outcome={"redirect": 3}))["uniques"]
        2
    """

    def iso(when: datetime | None) -> str | None:
        return None if when is None else when.astimezone(UTC).isoformat()

    return {
        "code": st.code,
        "clicks": st.clicks,
        "visits": st.visits,
        "bots": st.bots,
        "uniques": st.uniques,
        "first_visit": iso(st.first_visit),
        "last_visit": iso(st.last_visit),
        **{
            name: dict(sorted(getattr(st, name).items()))
            for name in ("by_platform", "by_os", "by_day", "by_outcome", "by_target")
        },
    }


def series_json(code: str, series: Any) -> dict[str, Any]:
    """A :class:`~suo.shortener.visits.Series` as JSON-ready data (buckets in its time zone).

    Example:
        >>> from datetime import UTC, datetime
        >>> from suo.shortener.visits import Series
        >>> ts = Series("day", "platform", UTC, ((datetime(2026, 12, 1, tzinfo=UTC), "wechat", 3),))
        >>> series_json("sale", ts)["points"]
        [{'bucket': '2026-12-01T00:00:00+00:00', 'key': 'wechat', 'count': 3}]
    """
    return {
        "code": code,
        "interval": series.interval,
        "by": series.by,
        "tz": str(series.tz),
        "total": series.total(),
        "points": [{"bucket": b.isoformat(), "key": k, "count": n} for b, k, n in series.rows()],
    }


def series_table(series: Any) -> str:
    """A series as a text table: bucket start, the key (with ``by``), visits.

    Example:
        >>> from datetime import UTC, datetime
        >>> from suo.shortener.visits import Series
        >>> at = datetime(2026, 12, 1, 9, tzinfo=UTC)
        >>> print(series_table(Series("hour", "platform", UTC, ((at, "qq", 1), (at, "wechat", 2)))))
        hour (UTC)        platform  visits
        2026-12-01 09:00  qq             1
        2026-12-01 09:00  wechat         2
        total                            3
    """
    fmt = "%Y-%m-%d %H:%M" if series.interval == "hour" else "%Y-%m-%d"
    head = [f"{series.interval} ({series.tz})"] + ([series.by] if series.by else []) + ["visits"]
    rows = [
        [b.strftime(fmt)] + ([k or "-"] if series.by else []) + [str(n)]
        for b, k, n in series.rows()
    ]
    rows.append(["total"] + ([""] if series.by else []) + [str(series.total())])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        text = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=False))
        return (text + "  " + cells[-1].rjust(widths[-1])).rstrip()

    return "\n".join(line(r) for r in [head, *rows])


def cmd_list(args: argparse.Namespace) -> int:
    s = _shortener(args)
    page = s.links(tag=args.tag, after=args.after, limit=args.limit)
    for link in page.links:
        print(f"{link.code}\t{link.target}\t{','.join(link.tags)}")
    if page.next:
        print(f"# more: --after {page.next}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    s = _shortener(args)
    if not s.delete(args.code):
        print(f"no link with code {args.code!r}")
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Make links, resolve them as several apps would, and print the counts."""
    from suo.antiblock import AccessPolicy, Platform
    from suo.shortener import Shortener

    with tempfile.TemporaryDirectory(prefix="suo-demo-") as tmp:
        url = args.store or f"sqlite:///{tmp}/demo.db"
        # On the user's own store, demo codes get a suffix so that reruns never clash.
        suffix = f"-{secrets.token_hex(2)}" if args.store else ""
        s = Shortener(url, base_url="https://s.example/")
        print(f"store: {url}\n")
        links = [
            s.shorten("https://shop.example.com/spring-sale", alias="sale" + suffix,
                      policy=AccessPolicy.anti_block(), tags=["demo"]),
            s.shorten("https://club.example.com/members", alias="club" + suffix,
                      policy=AccessPolicy.only(Platform.WECHAT), tags=["demo"]),
            s.shorten("https://example.com/coupon", alias="coupon" + suffix, max_clicks=2, tags=["demo"]),
        ]  # fmt: skip
        print("links made:")
        for link in links:
            policy = link.policy.name if link.policy is not None else "redirect everyone"
            cap = f", max {link.max_clicks} clicks" if link.max_clicks else ""
            print(f"  {s.short_url(link.code):28} -> {link.target}  [{policy}{cap}]")
        print("\nvisits:")
        for link in links:
            for who, ua in DEMO_UAS.items():
                d = s.resolve(link.code, user_agent=ua, accept_language="zh-CN,zh;q=0.9")
                where = d.location or ""
                print(f"  /{link.code:7} {who:18} -> {d.kind.value:9} {d.status} {where}")
        print("\ncounted:")
        for link in links:
            st = s.stats(link.code)
            plats = ", ".join(f"{k}={v}" for k, v in sorted(st.by_platform.items()))
            print(
                f"  /{link.code:7} clicks={st.clicks} visits={st.visits} bots={st.bots}  ({plats})"
            )
        _demo_live(s, suffix)
        _demo_sop()
        s.store.close()
    return 0


def _demo_live(s: Any, suffix: str) -> None:
    """A live code (活码) over two group links with caps 2 and 1."""
    from suo.shortener import LiveTarget

    s.shorten_live(
        [
            LiveTarget("https://club.example.com/group-1", cap=2),
            LiveTarget("https://club.example.com/group-2", cap=1),
        ],
        alias="group" + suffix,
    )
    print(f"\nlive code /group{suffix} (caps 2 and 1, fill first):")
    for i in range(4):
        d = s.resolve("group" + suffix, user_agent=DEMO_UAS["Safari on iPhone"])
        print(f"  scan {i + 1}: {d.kind.value:9} {d.status} {d.location or ''}")


def _demo_sop() -> None:
    """The welfare-group SOP for one week."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from suo.sop import templates

    tz = ZoneInfo("Asia/Shanghai")
    plan = templates.welfare_weekly()
    week = plan.occurrences(datetime(2026, 11, 30, tzinfo=tz), datetime(2026, 12, 7, tzinfo=tz))
    print(f"\nSOP: welfare_weekly(), week of 2026-11-30 ({len(week)} steps):")
    for occ in week:
        print(f"  {occ.at:%a %m-%d %H:%M}  {occ.step.title}")


def register(sub: Any) -> None:
    """Add the link subcommands to the ``suo`` parser."""
    from suo.cli import add_store_option
    from suo.shortener.visits import BY, INTERVALS

    p = sub.add_parser("shorten", help="make a short link and print its code")
    p.add_argument("url")
    p.add_argument("--alias", help="use this code instead of a generated one")
    p.add_argument("--expires", metavar="WHEN", help="7d, 12h, 30m, or an ISO 8601 time")
    p.add_argument("--max-clicks", type=int, metavar="N")
    p.add_argument("--policy", help="anti-block | only:wechat,qq | mobile-only | no-bots")
    p.add_argument("--tag", action="append", help="a tag (repeat for more)")
    p.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="allow targets on loopback/private addresses (intranet use; refused by default)",
    )
    add_store_option(p)
    p.set_defaults(func=cmd_shorten)

    p = sub.add_parser("resolve", help="print what a visit to CODE gets (and count it)")
    p.add_argument("code")
    p.add_argument("--ua", default="", help="the User-Agent to resolve as")
    p.add_argument("--lang", default=None, help="an Accept-Language value, e.g. zh-CN")
    p.add_argument("--body", action="store_true", help="also print the page body")
    add_store_option(p)
    p.set_defaults(func=cmd_resolve)

    p = sub.add_parser(
        "stats",
        help="print a link's clicks, people and breakdowns, or a time series",
        description="Without --by/--interval/--tz: totals, people (uniques) and breakdowns. "
        "With any of them: human visits per hour or day, maybe broken down by one field.",
    )
    p.add_argument("code")
    p.add_argument("--by", choices=BY, help="break the series down by this field")
    p.add_argument("--interval", choices=INTERVALS, help="bucket size (default: hour)")
    p.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA time zone buckets start in, e.g. Asia/Shanghai (default: UTC)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_store_option(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("list", help="list links, optionally by tag")
    p.add_argument("--tag")
    p.add_argument("--after")
    p.add_argument("--limit", type=int, default=100)
    add_store_option(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("delete", help="delete a link")
    p.add_argument("code")
    add_store_option(p)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("demo", help="make, resolve and count a few links on a throw-away store")
    add_store_option(p)
    p.set_defaults(func=cmd_demo)
