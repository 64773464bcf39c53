"""``suo sop templates | show | ics | check | due | next | done | skip``.

Examples::

    suo sop show welfare-weekly --week 2026-W49 --tz Asia/Shanghai
    suo sop show flash-72h --campaign-start 2026-12-12T20:00+08:00 --month 2026-12
    suo sop ics welfare-weekly -o plan.ics
    suo sop check welfare-weekly --month 2026-12 --cap 4/month
    suo sop due welfare-weekly --community c1 --now 2026-11-30T10:05+08:00
    suo sop next welfare-weekly --worker bot-1
    suo sop done <occurrence id> --by alice
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from suo.cli._args import parse_duration
from suo.cli._out import note, print_json
from suo.errors import ScheduleError


def occurrence_json(o: Any) -> dict[str, Any]:
    """An :class:`~suo.sop.Occurrence` as JSON-ready data (``at`` with its offset).

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from suo.sop import templates
        >>> tz = ZoneInfo("Asia/Shanghai")
        >>> plan = templates.welfare_weekly()
        >>> o = plan.occurrences(datetime(2026, 11, 30, tzinfo=tz), datetime(2026, 12, 7, tzinfo=tz))[0]
        >>> sorted(occurrence_json(o))[:4]
        ['at', 'campaign', 'channel', 'community']
    """
    return {
        "id": o.id,
        "plan": o.plan,
        "step": o.step.id,
        "title": o.step.title,
        "role": o.step.role,
        "channel": o.step.channel,
        "content": o.step.content,
        "at": o.at.isoformat(),
        "community": o.community,
        "member": o.member,
        "campaign": o.campaign,
    }


def _when(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ScheduleError(
            f"{name} {text!r}: give an ISO time like 2026-12-12T20:00+08:00"
        ) from None
    if value.tzinfo is None:
        raise ScheduleError(f"{name} {text!r} has no UTC offset; add one, e.g. +08:00")
    return value


def _plan(args: argparse.Namespace) -> Any:
    from suo.sop import Campaign, MemberJoin, templates

    name = args.template.strip().lower().replace("_", "-")
    if name not in templates.TEMPLATES:
        raise ScheduleError(
            f"unknown SOP template {args.template!r}; have {', '.join(sorted(templates.TEMPLATES))}"
        )
    kwargs: dict[str, Any] = {}
    if getattr(args, "plan_tz", None):
        kwargs["tz"] = args.plan_tz
    plan = templates.TEMPLATES[name](**kwargs)
    from attrs import evolve

    if getattr(args, "campaign_start", None):
        start = _when(args.campaign_start, "--campaign-start")
        plan = evolve(plan, campaigns=(Campaign("campaign", start),))
    members = []
    for spec in getattr(args, "member", None) or ():
        mid, sep, when = spec.partition("=")
        if not sep or not mid:
            raise ScheduleError(
                f"--member {spec!r}: give ID=ISO-TIME, e.g. u1=2026-12-01T21:40+08:00"
            )
        members.append(MemberJoin(mid, _when(when, "--member")))
    if members:
        plan = evolve(plan, members=tuple(members))
    return plan


def _communities(args: argparse.Namespace) -> list[str] | None:
    return list(args.community) if getattr(args, "community", None) else None


def _now(args: argparse.Namespace) -> datetime:
    # The CLI is the outer edge: it may read the wall clock; the library never does.
    return _when(args.now, "--now") if getattr(args, "now", None) else datetime.now(UTC)


def _window(args: argparse.Namespace, plan: Any) -> tuple[datetime, datetime, str]:
    from suo.sop._tz import zone
    from suo.sop.grid import parse_week

    tz_name = args.tz or plan.tz
    tz = zone(tz_name)
    if args.month:
        m = re.match(r"^\s*(\d{4})-(\d{1,2})\s*$", args.month)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ScheduleError(f"--month {args.month!r}: give YYYY-MM, e.g. 2026-12")
        y, mo = int(m.group(1)), int(m.group(2))
        first = date(y, mo, 1)
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        return datetime.combine(first, time(0), tz), datetime.combine(nxt, time(0), tz), tz_name
    monday = parse_week(args.week) if args.week else parse_week(_now(args).astimezone(tz).date())
    start = datetime.combine(monday, time(0), tz)
    return start, start + timedelta(days=7), tz_name


def cmd_templates(args: argparse.Namespace) -> int:
    from suo.sop import templates

    if args.json:
        print_json(
            [
                {"name": name, "title": plan.title, "tz": plan.tz, "steps": len(plan.steps)}
                for name, plan in ((n, b()) for n, b in sorted(templates.TEMPLATES.items()))
            ]
        )
        return 0
    for name, build in sorted(templates.TEMPLATES.items()):
        plan = build()
        if args.verbose:
            print(plan.describe() + "\n")
        else:
            print(f"{name}\t{plan.title}\t{len(plan.steps)} steps")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    plan = _plan(args)
    kw: dict[str, Any] = {"communities": _communities(args)}
    if args.month:
        m = re.match(r"^\s*(\d{4})-(\d{1,2})\s*$", args.month)
        if not m:
            raise ScheduleError(f"--month {args.month!r}: give YYYY-MM, e.g. 2026-12")
        view = plan.month(int(m.group(1)), int(m.group(2)), tz=args.tz, **kw)
    else:
        week = args.week or _window(args, plan)[0].date()
        view = plan.week(week, tz=args.tz, **kw)
    print(view.to_html() if args.html else view.to_text())
    return 0


def cmd_ics(args: argparse.Namespace) -> int:
    plan = _plan(args)
    start = date.fromisoformat(args.start) if args.start else None
    data = plan.to_ical(start=start)
    if args.output in (None, "-"):
        sys.stdout.write(data.decode())
    else:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(plan.steps)} steps)", file=sys.stderr)
    return 0


def _cap(spec: str) -> Any:
    from suo.sop import MessageCap

    m = re.match(r"^\s*(\d+)\s*/\s*(day|week|month)\s*$", spec)
    if m is None:
        raise ScheduleError(f"--cap {spec!r}: give N/day, N/week or N/month, e.g. 4/month")
    return MessageCap(int(m.group(1)), m.group(2))  # type: ignore[arg-type]


def cmd_check(args: argparse.Namespace) -> int:
    from suo.sop import Limits

    plan = _plan(args)
    start, end, _tz = _window(args, plan)
    kw: dict[str, Any] = {}
    if args.cap:
        kw["caps"] = tuple(_cap(c) for c in args.cap)
    if args.quiet:
        if args.quiet == "none":
            kw["quiet_hours"] = None
        else:
            a, sep, b = args.quiet.partition("-")
            if not sep:
                raise ScheduleError(f"--quiet {args.quiet!r}: give HH:MM-HH:MM or none")
            kw["quiet_hours"] = (a.strip(), b.strip())
    problems = plan.check(start, end, Limits(**kw), communities=_communities(args))
    errors = sum(p.severity == "error" for p in problems)
    if args.json:
        print_json(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "errors": errors,
                "problems": [
                    {
                        "kind": p.kind,
                        "severity": p.severity,
                        "message": p.message,
                        "community": p.community,
                        "occurrences": [o.id for o in p.occurrences],
                    }
                    for p in problems
                ],
            }
        )
        return 1 if errors else 0
    for p in problems:
        print(p)
    print(
        f"{len(problems)} problem(s), {errors} error(s) between {start:%Y-%m-%d} and {end:%Y-%m-%d}"
    )
    return 1 if errors else 0


def _queue(args: argparse.Namespace) -> Any:
    from suo.cli import default_store_url
    from suo.sop import DueQueue
    from suo.storage import open_store

    store = open_store(args.store or default_store_url())
    return DueQueue(
        store,
        _plan(args),
        communities=_communities(args),
        lookback=parse_duration(args.lookback, "--lookback", error=ScheduleError),
        lease=parse_duration(args.lease, "--lease", error=ScheduleError),
    )


def cmd_due(args: argparse.Namespace) -> int:
    q = _queue(args)
    try:
        due = q.due(_now(args), include_claimed=args.all)
        if args.json:
            print_json(
                [
                    {
                        **occurrence_json(d.occurrence),
                        "overdue": d.overdue,
                        "claimed_by": d.claimed_by,
                    }
                    for d in due
                ]
            )
            return 0
        if not due:
            note("nothing due")
        for d in due:
            o = d.occurrence
            flags = ("overdue " if d.overdue else "") + (
                f"claimed:{d.claimed_by}" if d.claimed_by else ""
            )
            where = o.community or "-"
            who = o.member or o.campaign or "-"
            print(
                f"{o.id}\t{o.at.isoformat()}\t{where}\t{who}\t{o.step.role}\t{o.step.title}\t{flags.strip()}"
            )
    finally:
        q.store.close()
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    q = _queue(args)
    try:
        d = q.claim_next(args.worker, now=_now(args))
        if d is None:
            if args.json:
                print_json(None)
            note("nothing due")
            return 1
        o = d.occurrence
        if args.json:
            print_json({**occurrence_json(o), "overdue": d.overdue, "claimed_by": args.worker})
            return 0
        print(
            f"{o.id}\t{o.at.isoformat()}\t{o.community or '-'}\t{o.step.role}\t{o.step.title}\t{o.step.content}"
        )
    finally:
        q.store.close()
    return 0


def _finish(args: argparse.Namespace, status: Literal["done", "skipped"]) -> int:
    from suo.cli import default_store_url
    from suo.storage import open_store

    store = open_store(args.store or default_store_url())
    try:
        if status == "skipped" and not args.reason.strip():
            raise ScheduleError("skip needs --reason")
        ok = store.finish_occurrence(
            args.occurrence, status=status, by=args.by, at=_now(args),
            note=getattr(args, "reason", None) or getattr(args, "note", "") or "", worker=args.worker,
        )  # fmt: skip
    finally:
        store.close()
    if not ok:
        note(f"{args.occurrence} was already finished, or another worker holds it")
        return 1
    print(f"{args.occurrence} {status}")
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    return _finish(args, "done")


def cmd_skip(args: argparse.Namespace) -> int:
    return _finish(args, "skipped")


def register(sub: Any) -> None:
    """Add the ``sop`` subcommands to the ``suo`` parser."""
    from suo.cli import add_json_option, add_store_option

    sop = sub.add_parser("sop", help="SOP calendars: show, export, check, and run the due queue")
    ssub = sop.add_subparsers(dest="sop_command", metavar="SOP_COMMAND")
    ssub.required = True

    def plan_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("template", help="welfare-weekly, flash-72h or traffic-onboarding")
        p.add_argument("--plan-tz", help="the plan's time zone (default Asia/Shanghai)")
        p.add_argument("--campaign-start", metavar="ISO", help="T0 of the campaign (flash-72h)")
        p.add_argument(
            "--member",
            action="append",
            metavar="ID=ISO",
            help="a member join (traffic-onboarding); repeat",
        )
        p.add_argument(
            "--community", action="append", metavar="ID", help="run for this community; repeat"
        )

    def window_args(p: argparse.ArgumentParser) -> None:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--week", help="ISO week, e.g. 2026-W49 (default: this week)")
        g.add_argument("--month", help="YYYY-MM, e.g. 2026-12")
        p.add_argument("--tz", help="show times in this zone (default: the plan's)")
        p.add_argument("--now", help=argparse.SUPPRESS)

    p = ssub.add_parser("templates", help="list the built-in plans")
    p.add_argument("-v", "--verbose", action="store_true", help="also list each step")
    add_json_option(p)
    p.set_defaults(func=cmd_templates)

    p = ssub.add_parser("show", help="print a week or month of a plan")
    plan_args(p)
    window_args(p)
    p.add_argument("--html", action="store_true", help="print HTML instead of text")
    p.set_defaults(func=cmd_show)

    p = ssub.add_parser("ics", help="export a plan as an iCalendar file")
    plan_args(p)
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.add_argument("--start", help="first date of weekly steps, YYYY-MM-DD")
    p.set_defaults(func=cmd_ics)

    p = ssub.add_parser("check", help="report clashes, quiet hours, caps and DST gaps")
    plan_args(p)
    window_args(p)
    p.add_argument(
        "--cap", action="append", metavar="N/PERIOD", help="a message cap, e.g. 4/month; repeat"
    )
    p.add_argument(
        "--quiet", metavar="HH:MM-HH:MM", help="quiet hours, or 'none' (default 22:00-08:00)"
    )
    add_json_option(p)
    p.set_defaults(func=cmd_check)

    def queue_args(p: argparse.ArgumentParser) -> None:
        plan_args(p)
        p.add_argument("--now", help="ISO time to use as now (default: the clock)")
        p.add_argument("--lookback", default="1d", help="how far back due items reach (default 1d)")
        p.add_argument("--lease", default="10m", help="how long a claim holds (default 10m)")
        add_json_option(p)
        add_store_option(p)

    p = ssub.add_parser("due", help="list occurrences due now")
    queue_args(p)
    p.add_argument("--all", action="store_true", help="include ones other workers hold")
    p.set_defaults(func=cmd_due)

    p = ssub.add_parser("next", help="claim the next due occurrence for a worker")
    queue_args(p)
    p.add_argument("--worker", required=True)
    p.set_defaults(func=cmd_next)

    for name, func, help_ in (
        ("done", cmd_done, "mark an occurrence done"),
        ("skip", cmd_skip, "mark an occurrence skipped"),
    ):
        p = ssub.add_parser(name, help=help_)
        p.add_argument("occurrence", help="the occurrence id (from due / next)")
        p.add_argument("--by", required=True, help="who did (or skipped) it")
        p.add_argument("--worker", help="refuse if another worker holds a live claim")
        p.add_argument("--now", help=argparse.SUPPRESS)
        if name == "skip":
            p.add_argument("--reason", required=True)
        else:
            p.add_argument("--note", default="")
        add_store_option(p)
        p.set_defaults(func=func)
