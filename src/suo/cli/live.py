"""``suo live create | add | retire | show``: live codes (活码) from the command line.

A live code is one permanent short link (and QR code) that rotates through
targets: group invite links, any QR text, or web pages. Targets are given as
text, or as a QR image (``--qr FILE``: a group's QR code, decoded with
:func:`suo.shortener.qr.read`; only its payload is kept).

Examples::

    suo live create --qr group1.png --cap 200 --alias club --title "读书会"
    suo live add club --qr group2.png --cap 200
    suo live show club
    suo live retire club 1
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from suo.cli import links
from suo.cli._out import iso, link_json, note, print_json
from suo.cli.links import link_line, on_default_base_url, parse_policies, parse_when
from suo.errors import InvalidInput

__all__ = ["read_image", "register", "slot_json", "targets_from"]


def read_image(path: str) -> bytes:
    """The bytes of the image file given as ``--qr`` (a one-line error if unreadable)."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"--qr {path!r}: {exc.strerror or exc}") from None


def targets_from(args: argparse.Namespace, now: Any) -> list[Any]:
    """The live targets the arguments give: text payloads, then ``--qr`` images.

    ``--cap``, ``--expires`` and ``--weight`` apply to each of them.
    """
    from suo.shortener import LiveTarget

    expires = parse_when(args.expires, now) if args.expires else None
    kwargs: dict[str, Any] = {"cap": args.cap, "expires_at": expires, "weight": args.weight}
    targets = [LiveTarget(payload, **kwargs) for payload in args.payload or ()]
    for path in args.qr or ():
        targets.append(LiveTarget.from_image(read_image(path), **kwargs))
    if not targets:
        raise InvalidInput("give a target: a payload (URL or text) or --qr FILE (a QR image)")
    return targets


def slot_json(slot: Any, now: Any) -> dict[str, Any]:
    """A :class:`~suo.shortener.LiveSlot` as JSON-ready data, with its state now."""
    return {
        "id": slot.id,
        "payload": slot.payload,
        "cap": slot.cap,
        "used": slot.used,
        "remaining": slot.remaining,
        "weight": slot.target.weight,
        "expires_at": iso(slot.expires_at),
        "added_at": iso(slot.added_at),
        "state": slot.state(now),
    }


def _slot_line(slot: Any, now: Any) -> str:
    cap = f"{slot.used}/{slot.cap}" if slot.cap is not None else f"{slot.used}/-"
    expires = iso(slot.expires_at) or "-"
    return f"{slot.id}\t{slot.state(now)}\t{cap}\t{expires}\t{slot.payload}"


def cmd_create(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    link = s.shorten_live(
        targets_from(args, s.clock()),
        strategy=args.strategy,
        alias=args.alias,
        policy=parse_policies(args.policy or (), warn=note),
        title=args.title,
        tags=args.tag or (),
    )
    if args.json:
        now = s.clock()
        print_json(
            {
                **link_json(link),
                "targets": [slot_json(t, now) for t in s.live(link.code).targets()],
            }
        )
    else:
        print(link_line(link))
    if on_default_base_url(s):
        note(
            f"short URL on the default base URL; give --base-url (or set SUO_BASE_URL) "
            f"for your public domain before printing {link.code}'s QR code"
        )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    live = s.live(args.code)
    now = s.clock()
    added = [live.add(t) for t in targets_from(args, now)]
    if args.json:
        print_json([slot_json(slot, now) for slot in added])
    else:
        for slot in added:
            print(f"added target {slot.id} to {args.code}: {slot.payload}")
    return 0


def cmd_retire(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    if not s.live(args.code).retire(args.target_id):
        note(f"live code {args.code!r} has no active target {args.target_id}; nothing retired")
        return 1
    print(f"retired target {args.target_id} of {args.code}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    live = s.live(args.code)
    now = s.clock()
    link = live.link
    status = live.status(now)
    slots = live.targets(include_retired=args.all)
    events = live.events() if args.events else []
    if args.json:
        data: dict[str, Any] = {
            **link_json(link),
            "status": {
                "strategy": status.strategy,
                "active": status.active,
                "full": status.full,
                "expired": status.expired,
                "retired": status.retired,
                "served": status.served,
                "remaining": status.remaining,
                "exhausted": status.exhausted,
            },
            "targets": [slot_json(slot, now) for slot in slots],
        }
        if args.events:
            data["events"] = [e.to_dict() for e in events]
        print_json(data)
        return 0
    remaining = "no limit" if status.remaining is None else str(status.remaining)
    print(f"live code: {link.code}  {link.short_url}")
    if link.title:
        print(f"title: {link.title}")
    print(f"strategy: {status.strategy}  served: {status.served}  room left: {remaining}")
    print(
        f"targets: {status.active} active, {status.full} full, {status.expired} expired, "
        f"{status.retired} retired"
        + ("  (EXHAUSTED: no target has room)" if status.exhausted else "")
    )
    print("id\tstate\tused/cap\texpires\tpayload")
    for slot in slots:
        print(_slot_line(slot, now))
    for event in events:
        target = "" if event.target_id is None else f" target {event.target_id}"
        fill = "" if event.cap is None else f" ({event.used}/{event.cap})"
        print(f"event: {iso(event.at)} {event.kind}{target}{fill}")
    return 0


def register(sub: Any) -> None:
    """Add ``suo live ...`` to the ``suo`` parser."""
    from suo.cli import add_base_url_option, add_json_option, add_store_option
    from suo.cli.links import POLICY_FORMS
    from suo.shortener.live import STRATEGIES

    live = sub.add_parser("live", help="live codes (活码): one QR code rotating through groups")
    lsub = live.add_subparsers(dest="live_command", metavar="LIVE_COMMAND")
    lsub.required = True

    def target_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("payload", nargs="*", help="a target: a group invite URL or any QR text")
        p.add_argument(
            "--qr", action="append", metavar="FILE", help="a QR image to read a target from; repeat"
        )
        p.add_argument("--cap", type=int, metavar="N", help="visitors each target may take")
        p.add_argument(
            "--expires", metavar="WHEN", help="when the targets stop (7d, 12h, ISO time)"
        )
        p.add_argument("--weight", type=int, default=1, help="share under --strategy weighted")

    p = lsub.add_parser("create", help="make a live code; print its code and short URL")
    target_args(p)
    p.add_argument("--strategy", choices=STRATEGIES, default="fill_first")
    p.add_argument("--alias", help="use this code instead of a generated one")
    p.add_argument("--title", help="the title the landing page shows")
    p.add_argument("--tag", action="append", help="a tag (repeat for more)")
    p.add_argument(
        "--policy", action="append", metavar="POLICY", help=f"{POLICY_FORMS}; repeat to combine"
    )
    add_base_url_option(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_create)

    p = lsub.add_parser("add", help="add targets to a live code")
    p.add_argument("code")
    target_args(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_add)

    p = lsub.add_parser("retire", help="take a target out of rotation (exit 1 if not active)")
    p.add_argument("code")
    p.add_argument("target_id", type=int, metavar="TARGET_ID", help="the id live show prints")
    add_store_option(p)
    p.set_defaults(func=cmd_retire)

    p = lsub.add_parser("show", help="print a live code's targets, fill and state")
    p.add_argument("code")
    p.add_argument("--all", action="store_true", help="include retired targets")
    p.add_argument("--events", action="store_true", help="also list recorded events")
    add_base_url_option(p)
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_show)
