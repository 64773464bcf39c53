"""``suo shorten | show | update | resolve | explain | stats | list | delete | qr | demo``."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from suo.cli._args import read_duration
from suo.cli._out import decision_json, iso, link_json, note, print_json
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


POLICY_FORMS = "anti-block, only:wechat,qq, guide:weibo, deny:douyin, mobile-only, no-bots"
"""The ``--policy`` values, for help and error messages."""

_PRESETS = {"anti-block": "anti_block", "mobile-only": "mobile_only", "no-bots": "no_bots"}


def _platforms(spec: str, name: str, args: str) -> frozenset[Any]:
    from suo.antiblock import Platform

    try:
        found = frozenset(Platform(p.strip().lower()) for p in args.split(",") if p.strip())
    except ValueError as exc:
        raise PolicyError(
            f"--policy {spec!r}: {exc}; platforms: {', '.join(p.value for p in Platform)}"
        ) from None
    if not found:
        raise PolicyError(f"--policy {name}: needs platforms, e.g. {name}:wechat,qq")
    return found


def _read_policy(spec: str) -> tuple[str, frozenset[Any]]:
    name, _, args = spec.partition(":")
    name = name.strip().lower().replace("_", "-")
    if name in ("only", "guide", "deny"):
        return name, _platforms(spec, name, args)
    if name in _PRESETS and not args:
        return name, frozenset()
    raise PolicyError(f"unknown --policy {spec!r}; use {POLICY_FORMS}")


def _names(platforms: frozenset[Any]) -> str:
    return ",".join(sorted(p.value for p in platforms))


def parse_policies(specs: Sequence[str], *, warn: Callable[[str], None] | None = None) -> Any:
    """Every ``--policy`` given, composed into one AccessPolicy (``None`` for none).

    ``anti-block`` (Chinese in-app browsers get the guide page), ``guide:P,...``
    and ``deny:P,...`` (per platform), ``only:P,...`` (everyone else is denied),
    ``mobile-only`` and ``no-bots`` combine. The rules are tried in this order:
    bots denied (no-bots), ``deny:`` platforms denied, computers denied
    (mobile-only), guide page for ``anti-block`` / ``guide:`` platforms (only
    those ``only:`` allows), redirect for ``only:`` platforms; the default is
    deny when ``only:`` is given, else redirect. One preset alone is the
    preset itself (``AccessPolicy.anti_block()`` ...).

    Contradictions are refused with :class:`~suo.errors.PolicyError`, never
    dropped: ``only:`` twice, a platform both in ``guide:`` and ``deny:``, a
    ``deny:`` or ``guide:`` platform ``only:`` does not allow. ``warn`` is
    called when the policy works but probably not as meant.

    Example:
        >>> p = parse_policies(["anti-block", "only:wechat,browser", "deny:douyin"])
        >>> [(r.name, r.action.value) for r in p.rules], p.default.value
        ([('denied', 'deny'), ('cn-in-app', 'guide'), ('allowed', 'redirect')], 'deny')
        >>> p.rules[1].when.describe()
        'platform in wechat'
        >>> parse_policies(["only:wechat", "only:qq"])
        Traceback (most recent call last):
        ...
        suo.errors.PolicyError: --policy only: given twice (only:wechat and only:qq); list every allowed platform in one, e.g. only:qq,wechat
    """
    from suo.antiblock import AccessPolicy, Action, Platform, Rule, When
    from suo.antiblock.detect import CHINESE_APPS

    if not specs:
        return None
    parts = [(spec, *_read_policy(spec)) for spec in specs]
    kinds = {name for _, name, _ in parts}
    if len(kinds) == 1 and kinds <= {"only", *_PRESETS} and len({s for s, _, _ in parts}) == 1:
        _, name, platforms = parts[0]
        if name == "only":
            return AccessPolicy.only(*sorted(platforms, key=lambda p: p.value))
        return getattr(AccessPolicy, _PRESETS[name])()
    only: frozenset[Any] | None = None
    guide: frozenset[Any] = frozenset()
    deny: frozenset[Any] = frozenset()
    for _spec, name, platforms in parts:
        if name == "only":
            if only is not None and only != platforms:
                raise PolicyError(
                    f"--policy only: given twice (only:{_names(only)} and only:{_names(platforms)}); "
                    f"list every allowed platform in one, e.g. only:{_names(only | platforms)}"
                )
            only = platforms
        elif name == "guide":
            guide |= platforms
        elif name == "deny":
            deny |= platforms
    if guide & deny:
        raise PolicyError(
            f"--policy: {_names(guide & deny)} is both in guide: and in deny:; pick one"
        )
    if only is not None and deny & only:
        raise PolicyError(
            f"--policy: only:{_names(only)} allows {_names(deny & only)} and deny: refuses it; "
            "leave it out of one of them"
        )
    if only is not None and guide - only:
        raise PolicyError(
            f"--policy: guide:{_names(guide - only)} names platforms only:{_names(only)} denies; "
            "add them to only: or drop them from guide:"
        )
    guided = set(guide)
    if "anti-block" in kinds:
        apps = CHINESE_APPS - deny
        if only is not None:
            apps &= only
        if not apps:
            raise PolicyError(
                "--policy anti-block has no effect here: every Chinese in-app browser is denied "
                "by deny: or only:; drop anti-block or allow one of those apps"
            )
        guided |= apps
    mobile = "mobile-only" in kinds
    rules = []
    if "no-bots" in kinds:
        rules.append(Rule(When(bot=True), Action.DENY, name="bots"))
    if deny:
        rules.append(Rule(When(platforms=deny), Action.DENY, name="denied"))
    if mobile:
        rules.append(Rule(When(mobile=False), Action.DENY, name="computers"))
    if guided:
        label = "cn-in-app" if "anti-block" in kinds and not guide else "guide"
        rules.append(Rule(When(platforms=guided), Action.GUIDE, name=label))
    if only is not None:
        rules.append(Rule(When(platforms=only), Action.REDIRECT, name="allowed"))
        if guided and Platform.BROWSER not in only and warn is not None:
            warn(
                f"only:{_names(only)} denies ordinary browsers, so visitors the guide page "
                f"sends to their browser will be denied; add browser: only:{_names(only)},browser"
            )
    seen: list[str] = []
    for spec, _, _ in parts:
        text = spec.strip().lower()
        if text not in seen:
            seen.append(text)
    return AccessPolicy(
        "+".join(seen)[:200], tuple(rules), Action.DENY if only is not None else Action.REDIRECT
    )


def parse_policy(spec: str) -> Any:
    """One ``--policy`` value as an AccessPolicy (see :func:`parse_policies`)."""
    return parse_policies([spec])


def describe_policy(policy: Any) -> str:
    """An access policy on one line: its rules, then the default.

    Example:
        >>> print(describe_policy(parse_policy("anti-block")))
        anti_block: cn-in-app [platform in alipay,baidu,dingtalk,douyin,feishu,kuaishou,qq,taobao,toutiao,wechat,wecom,weibo,xiaohongshu] -> guide; otherwise redirect
    """
    if policy is None:
        return "none (everyone is redirected)"
    rules = [
        f"{r.name or f'rule {i}'} [{r.when.describe()}] -> {r.action.value}"
        + (f" {r.location}" if r.location else "")
        for i, r in enumerate(policy.rules, 1)
    ]
    return f"{policy.name}: " + "; ".join([*rules, f"otherwise {policy.default.value}"])


def base_url(args: argparse.Namespace) -> str | None:
    """``--base-url``, else ``$SUO_BASE_URL``, else ``None`` (the Shortener's default)."""
    return getattr(args, "base_url", None) or os.environ.get("SUO_BASE_URL") or None


DEFAULT_BASE_URL = "http://127.0.0.1:8080/"
"""The Shortener's base URL when neither ``--base-url`` nor ``$SUO_BASE_URL`` is given."""


def on_default_base_url(s: Any) -> bool:
    """True when short URLs (and QR codes) would carry the local default base URL."""
    return bool(s.base_url == DEFAULT_BASE_URL)


def open_shortener(args: argparse.Namespace) -> Any:
    """The Shortener the options describe: store, base URL, private hosts allowed or not."""
    from suo.cli import default_store_url
    from suo.shortener import Shortener

    kwargs: dict[str, Any] = {}
    url = base_url(args)
    if url:
        kwargs["base_url"] = url
    if getattr(args, "allow_private_hosts", False):
        from suo.shortener.urls import URLPolicy

        kwargs["url_policy"] = URLPolicy(allow_private_hosts=True)
    return Shortener(args.store or default_store_url(), cache_ttl=0, **kwargs)


_shortener = open_shortener


def link_line(link: Any) -> str:
    """``code<TAB>short URL``: what ``shorten`` and ``live create`` print."""
    return f"{link.code}\t{link.short_url}"


def cmd_shorten(args: argparse.Namespace) -> int:
    s = _shortener(args)
    expires = parse_when(args.expires, s.clock()) if args.expires else None
    link = s.shorten(
        args.url,
        alias=args.alias,
        expires_at=expires,
        max_clicks=args.max_clicks,
        policy=parse_policies(args.policy or (), warn=note),
        tags=args.tag or (),
        title=args.title,
        description=args.description,
        click_ids=args.click_ids,
        **_extras_options(args, s),
        domain=args.domain,
    )
    if args.json:
        print_json(link_json(link))
    else:
        print(link_line(link))
    return 0


def _read_password() -> str:
    """One line of stdin: a password never goes on the command line (ps, shell history)."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidInput("--password-stdin: stdin gave no password (send it as one line)")
    return line


def _winner(text: str) -> int:
    text = text.strip()
    if len(text) == 1 and text.isalpha():
        return ord(text.upper()) - ord("A")
    if text.isdigit():
        return int(text)
    raise InvalidInput(f"--winner {text!r}: give the variant's letter (A, B...) or index (0, 1...)")


def _extras_options(args: argparse.Namespace, s: Any) -> dict[str, Any]:
    """The issue-15 options of ``shorten`` (and ``update``) given on the command line."""
    out: dict[str, Any] = {}
    if args.password_stdin:
        out["password"] = _read_password()
    if args.expired_url is not None:
        out["expired_url"] = args.expired_url
    if args.pass_query is not None:
        out["pass_query"] = args.pass_query
    if args.variant:
        pairs = []
        for url, weight in args.variant:
            if not weight.isdigit():
                raise InvalidInput(f"--variant {url} {weight!r}: the weight must be a whole number")
            pairs.append((url, int(weight)))
        out["variants"] = pairs
    if args.variants_until is not None:
        out["variants_until"] = parse_when(args.variants_until, s.clock())
    if args.winner is not None:
        out["winner"] = _winner(args.winner)
    return out


def cmd_show(args: argparse.Namespace) -> int:
    s = _shortener(args)
    link = s.get(args.code)
    if args.json:
        print_json(link_json(link))
        return 0
    print(f"code: {link.code}")
    print(f"short URL: {link.short_url}")
    print(f"target: {link.target}")
    print(f"created: {iso(link.created_at)}")
    print(f"expires: {iso(link.expires_at) or '-'}")
    print(f"max clicks: {link.max_clicks if link.max_clicks is not None else '-'}")
    print(f"tags: {', '.join(link.tags) or '-'}")
    print(f"policy: {describe_policy(link.policy)}")
    print(f"title: {link.title or '-'}")
    if link.description:
        print(f"description: {link.description}")
    if link.live:
        print(f"live code: {link.live} (targets: suo live show {link.code})")
    ex = link.extras
    if ex is not None:
        from suo.shortener.variants import variant_name

        if ex.password is not None:
            print("password: yes (only its scrypt hash is stored)")
        if ex.expired_url:
            print(f"expired URL: {ex.expired_url}")
        if ex.pass_query:
            print(f"pass query: {ex.pass_query}")
        for i, (url, weight) in enumerate(ex.variants):
            print(f"variant {variant_name(i)}: {url} (weight {weight})")
        if ex.variants_until is not None:
            winner = variant_name(ex.winner or 0)
            print(f"split ends: {iso(ex.variants_until)}, then everyone gets {winner}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    s = _shortener(args)
    changes: dict[str, Any] = {}
    if args.target is not None:
        changes["target"] = args.target
    if args.expires is not None:
        never = args.expires.strip().lower() in ("never", "none")
        changes["expires_at"] = None if never else parse_when(args.expires, s.clock())
    if args.max_clicks is not None:
        changes["max_clicks"] = _count_or_none(args.max_clicks, "--max-clicks")
    if args.policy:
        if [p.strip().lower() for p in args.policy] == ["none"]:
            changes["policy"] = None
        elif any(p.strip().lower() == "none" for p in args.policy):
            raise PolicyError("--policy none clears the policy; give it alone")
        else:
            changes["policy"] = parse_policies(args.policy, warn=note)
    if args.no_tags and args.tag:
        raise InvalidInput("give --tag or --no-tags, not both")
    if args.tag or args.no_tags:
        changes["tags"] = tuple(args.tag or ())
    for name in ("title", "description"):
        if getattr(args, f"no_{name}") and getattr(args, name) is not None:
            raise InvalidInput(f"give --{name} or --no-{name}, not both")
        if getattr(args, f"no_{name}"):
            changes[name] = None
        elif getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.redirect_status is not None:
        changes["redirect_status"] = args.redirect_status
    if args.click_ids is not None:
        changes["click_ids"] = {"on": True, "off": False, "default": None}[args.click_ids]
    changes.update(_extras_options(args, s))
    if args.no_password:
        if "password" in changes:
            raise InvalidInput("give --password-stdin or --no-password, not both")
        changes["password"] = None
    if args.no_pass_query:
        changes["pass_query"] = False
    if args.no_expired_url:
        changes["expired_url"] = None
    if args.no_variants:
        changes["variants"] = None
    if not changes:
        raise InvalidInput(
            "nothing to change; give --target, --expires, --max-clicks, --policy, --tag, --click-ids, "
            "--no-tags, --title, --description, --redirect-status, --password-stdin, "
            "--expired-url, --pass-query, --variant or their --no- forms"
        )
    link = s.update(args.code, **changes)
    if args.json:
        print_json(link_json(link))
    else:
        print(f"updated {link.code}: {', '.join(sorted(changes))}")
    return 0


def _count_or_none(text: str, option: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(f"{option} {text!r}: give a whole number, or none to clear it") from None
    if value < 1:
        raise InvalidInput(f"{option} {text!r}: give a number of at least 1, or none")
    return value


def _print_decision(d: Any, *, body: bool, trace: bool) -> None:
    print(f"{d.kind.value} {d.status}" + (f" {d.location}" if d.location else ""))
    if trace:
        if d.client is not None:
            c = d.client
            kind = "bot" if c.is_bot else "mobile" if c.is_mobile else "computer"
            print(f"client: {c.platform.value} on {c.os.value} ({kind})")
        for line in d.trace:
            print(f"why: {line}")
        if not d.trace and d.link is not None and d.link.policy is None:
            print("why: the link has no access policy: everyone is redirected")
    if body and d.body:
        print(d.body)


def _decision_status(d: Any) -> int:
    """1 when there is no such link (the answer is still printed), else 0."""
    from suo.decision import DecisionKind

    if d.kind is not DecisionKind.NOT_FOUND:
        return 0
    note(f"no link with code {d.code!r}")
    return 1


def _answer(args: argparse.Namespace, *, explain: bool) -> int:
    s = _shortener(args)
    ask = s.explain if explain else s.resolve
    password = _read_password() if args.password_stdin else None
    d = ask(
        args.code, user_agent=args.ua, accept_language=args.lang, ip=args.ip, query=args.query,
        password=password, host=args.host,
    )  # fmt: skip
    if args.json:
        print_json(decision_json(d, body=args.body))
    else:
        _print_decision(d, body=args.body, trace=explain)
    return _decision_status(d)


def cmd_resolve(args: argparse.Namespace) -> int:
    return _answer(args, explain=False)


def cmd_explain(args: argparse.Namespace) -> int:
    return _answer(args, explain=True)


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
    if args.json:
        print_json({"links": [link_json(link) for link in page.links], "next": page.next})
    else:
        for link in page.links:
            print(f"{link.code}\t{link.target}\t{','.join(link.tags)}")
        if page.next:
            print(f"# more: --after {page.next}")
    if not page.links:
        what = f" with tag {args.tag!r}" if args.tag else ""
        where = f" after {args.after!r}" if args.after else ""
        note(f"no links matched{what}{where}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    s = _shortener(args)
    if not s.delete(args.code):
        note(f"no link with code {args.code!r}; nothing deleted")
        return 1
    print(f"deleted {args.code}")
    return 0


QR_SUFFIXES = {".png": "png", ".svg": "svg"}
"""``suo qr -o FILE``: the format each file extension gets."""


def cmd_qr(args: argparse.Namespace) -> int:
    s = _shortener(args)
    fmt = args.format
    if args.output in (None, "-"):
        fmt = fmt or "terminal"
        if fmt == "png" and sys.stdout.isatty():
            raise InvalidInput(
                "a PNG is not for the terminal; give -o FILE.png or --format terminal"
            )
    elif fmt is None:
        fmt = QR_SUFFIXES.get(Path(args.output).suffix.lower())
        if fmt is None:
            raise InvalidInput(
                f"-o {args.output!r}: name a .png or .svg file, or give --format png|svg"
            )
    options: dict[str, Any] = {"border": args.border}
    if args.scale is not None:
        options["scale"] = args.scale
    data = s.qr(args.code, fmt, **options)
    if on_default_base_url(s):
        note(
            f"the QR code holds {s.short_url(args.code)}; give --base-url (or set "
            "SUO_BASE_URL) to put your public domain in it"
        )
    if args.output in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data if data.endswith("\n") else data + "\n")
        return 0
    try:
        if isinstance(data, bytes):
            Path(args.output).write_bytes(data)
        else:
            Path(args.output).write_text(data, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"-o {args.output!r}: {exc.strerror or exc}") from None
    note(f"wrote {args.output} ({fmt}, {s.short_url(args.code)})")
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


def _policy_option(p: argparse.ArgumentParser, *, clear: bool = False) -> None:
    p.add_argument(
        "--policy",
        action="append",
        metavar="POLICY",
        help=f"who gets what: {POLICY_FORMS}; repeat to combine"
        + ("; none clears it" if clear else ""),
    )


def _extras_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="protect the link with a password read from stdin (one line; only its hash is kept)",
    )
    p.add_argument(
        "--expired-url", metavar="URL", help="where visitors go once it expires or runs out"
    )
    p.add_argument(
        "--pass-query",
        nargs="?",
        const="merge",
        choices=("merge", "override"),
        help="pass the short URL's query on to the target (merge: the target's parameters "
        "win, the default; override: the visitor's win)",
    )
    p.add_argument(
        "--variant",
        nargs=2,
        action="append",
        metavar=("URL", "WEIGHT"),
        help="an A/B split target and its weight (repeat: --variant URL 70 --variant URL 30)",
    )
    p.add_argument(
        "--variants-until", metavar="WHEN", help="when the A/B split ends (7d, ISO time)"
    )
    p.add_argument(
        "--winner", metavar="A|B|...", help="the variant everyone gets after the split ends"
    )


def _private_hosts_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="allow targets on loopback/private addresses (intranet use; refused by default)",
    )


def register(sub: Any) -> None:
    """Add the link subcommands to the ``suo`` parser."""
    from suo.cli import add_base_url_option, add_json_option, add_store_option
    from suo.shortener.visits import BY, INTERVALS

    p = sub.add_parser("shorten", help="make a short link; print its code and short URL")
    p.add_argument("url")
    p.add_argument("--alias", help="use this code instead of a generated one")
    p.add_argument("--expires", metavar="WHEN", help="7d, 12h, 30m, or an ISO 8601 time")
    p.add_argument("--max-clicks", type=int, metavar="N")
    _policy_option(p)
    p.add_argument("--tag", action="append", help="a tag (repeat for more)")
    p.add_argument("--title", help="the title preview and landing pages show")
    p.add_argument("--description", help="the description preview pages show")
    p.add_argument(
        "--click-ids",
        action="store_true",
        default=None,
        help="append a click id (suo_cid) to the target on each counted redirect (see suo track)",
    )
    p.add_argument(
        "--domain", metavar="NAME", help="make it on this short domain (suo domains add)"
    )
    _extras_arguments(p)
    _private_hosts_option(p)
    add_base_url_option(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_shorten)

    p = sub.add_parser("show", help="print a link: target, expiry, cap, tags, policy, title")
    p.add_argument("code")
    add_base_url_option(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "update",
        help="change a link's target, expiry, cap, policy, tags or title",
        description="Only the options given change; click counts are kept.",
    )
    p.add_argument("code")
    p.add_argument("--target", metavar="URL", help="a new target URL")
    p.add_argument("--expires", metavar="WHEN", help="7d, 12h, an ISO 8601 time, or never")
    p.add_argument("--max-clicks", metavar="N", help="a click cap, or none to remove it")
    _policy_option(p, clear=True)
    p.add_argument("--tag", action="append", help="the tags (replace the old ones); repeat")
    p.add_argument("--no-tags", action="store_true", help="remove every tag")
    p.add_argument("--title", help="a new title")
    p.add_argument("--no-title", action="store_true", help="remove the title")
    p.add_argument("--description", help="a new description")
    p.add_argument("--no-description", action="store_true", help="remove the description")
    p.add_argument("--redirect-status", type=int, choices=(301, 302, 303, 307, 308))
    _extras_arguments(p)
    p.add_argument(
        "--click-ids",
        choices=("on", "off", "default"),
        help="click ids on this link's counted redirects (default: the Shortener's setting)",
    )
    p.add_argument("--no-password", action="store_true", help="remove the password")
    p.add_argument("--no-pass-query", action="store_true", help="stop passing the query on")
    p.add_argument("--no-expired-url", action="store_true", help="remove the expired destination")
    p.add_argument("--no-variants", action="store_true", help="end the A/B split (remove it)")
    _private_hosts_option(p)
    add_base_url_option(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_update)

    resolve = sub.add_parser("resolve", help="print what a visit to CODE gets (and count it)")
    explain = sub.add_parser(
        "explain",
        help="print what a visit would get and why, recording nothing",
        description="Like resolve, but nothing is counted or recorded: no click, no visit, "
        "no live-code place taken. Prints the client detected and every policy rule tried.",
    )
    for p, verb, func in (
        (resolve, "resolve as", cmd_resolve),
        (explain, "explain for", cmd_explain),
    ):
        p.add_argument("code")
        p.add_argument("--ua", default="", help=f"the User-Agent to {verb}")
        p.add_argument("--lang", default=None, help="an Accept-Language value, e.g. zh-CN")
        p.add_argument("--body", action="store_true", help="also print the page body")
        p.add_argument("--ip", help="the visitor's IP (it picks a returning A/B visitor's variant)")
        p.add_argument("--query", help="the short URL's query string, e.g. utm_source=group12")
        p.add_argument("--host", help="the request's Host (which short domain)")
        p.add_argument(
            "--password-stdin", action="store_true", help="read a password to try from stdin"
        )
        add_json_option(p)
        add_store_option(p)
        p.set_defaults(func=func)

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
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "list",
        help="list links, optionally by tag",
        description="Prints code, target and tags, one link a line. When no link matches, "
        "stdout stays empty, stderr says so, and the exit status is 0.",
    )
    p.add_argument("--tag")
    p.add_argument("--after", metavar="CODE", help="start after this code (paging)")
    p.add_argument("--limit", type=int, default=100)
    add_base_url_option(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("delete", help="delete a link (exit 1 if there was none)")
    p.add_argument("code")
    add_store_option(p)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser(
        "qr",
        help="the QR code of a link's short URL: to a .png/.svg file, or to the terminal",
    )
    p.add_argument("code")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="FILE.png or FILE.svg (default: terminal)"
    )
    p.add_argument("--format", choices=("png", "svg", "terminal"), help="override the format")
    p.add_argument("--scale", type=int, help="pixels (PNG) or units (SVG) per module")
    p.add_argument("--border", type=int, default=4, help="quiet zone in modules (default 4)")
    add_base_url_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_qr)

    p = sub.add_parser("demo", help="make, resolve and count a few links on a throw-away store")
    add_store_option(p)
    p.set_defaults(func=cmd_demo)
