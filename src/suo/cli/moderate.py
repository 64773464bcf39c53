"""``suo moderate``: the verdict on one message posted in a community.

The message is judged by :class:`suo.community.Moderator` with
:meth:`RuleBook.default() <suo.community.RuleBook.default>` on the store, so
strikes add up across calls (and across every bot sharing the store): the
same member's third ad in a month is removed, not warned. A community or
member saved in the store is used as saved; otherwise one is made from the
options (``--kind``, ``--role``) for this check.

Example::

    suo moderate --community c1 --kind welfare --member u1 "加我微信 abc123 领优惠"
    warn: ...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from suo.cli._out import iso, print_json
from suo.errors import InvalidInput

__all__ = ["register", "verdict_json"]


def verdict_json(verdict: Any) -> dict[str, Any]:
    """A :class:`~suo.community.Verdict` as JSON-ready data.

    Example:
        >>> from suo.community import ConductAction, Verdict
        >>> verdict_json(Verdict(ConductAction.ALLOW, community_id="c1"))["action"]
        'allow'
    """
    return {
        "action": verdict.action.value,
        "flagged": verdict.flagged,
        "delete_message": verdict.delete_message,
        "mute_until": iso(verdict.mute_until),
        "strikes": verdict.strikes,
        "step": None
        if verdict.step is None
        else {
            "strikes": verdict.step.strikes,
            "action": verdict.step.action.value,
            "seconds": None
            if verdict.step.duration is None
            else verdict.step.duration.total_seconds(),
        },
        "rules": [hit.rule for hit in verdict.hits],
        "reasons": list(verdict.reasons),
        "community_id": verdict.community_id,
        "member_id": verdict.member_id,
        "at": iso(verdict.at),
    }


def _at(text: str | None) -> datetime:
    if text is None:
        # The CLI is the outer edge: it may read the wall clock; the library never does.
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--at {text!r}: give an ISO time like 2026-12-01T20:00+08:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[Any]:
    """The store the options name, closed on the way out."""
    from suo.cli import default_store_url
    from suo.storage import open_store

    store = open_store(args.store or default_store_url())
    try:
        yield store
    finally:
        store.close()


def cmd_moderate(args: argparse.Namespace) -> int:
    from suo.community import Community, Member, Moderator, RuleBook

    text = sys.stdin.read() if args.text == "-" else args.text
    at = _at(args.at)
    with _session(args) as store:
        mod = Moderator(store, RuleBook.default())
        community = store.get_community(args.community) or Community(
            name=args.community, id=args.community, kind=args.kind
        )
        member = store.get_member(community.id, args.member) or Member(
            id=args.member, role=args.role, approved=args.approved_member
        )
        verdict = mod.check(community, member, text, at=at, approved=args.approved)
    if args.json:
        print_json(verdict_json(verdict))
        return 0
    print(f"{verdict.action.value}: {verdict.why}")
    details = [f"strikes: {verdict.strikes:g}"]
    if verdict.delete_message:
        details.append("delete the message")
    if verdict.mute_until is not None:
        details.append(f"muted until {iso(verdict.mute_until)}")
    print("  ".join(details))
    return 0


def register(sub: Any) -> None:
    """Add ``suo moderate`` to the ``suo`` parser."""
    from suo.cli import add_json_option, add_store_option
    from suo.community.model import CommunityKind, Role

    p = sub.add_parser(
        "moderate",
        help="judge one message in a community: allow, delete, warn, mute or remove",
        description="Judges TEXT with the default rulebook (ads, contact swaps, floods...). "
        "Strikes are kept in the store, so repeat offences escalate: warn -> mute 1 h -> remove. "
        "A community or member saved in the store is used as saved. Exit 0 whatever the verdict.",
    )
    p.add_argument("text", help="the message ('-' reads it from stdin)")
    p.add_argument("--community", required=True, metavar="ID", help="the community's id")
    p.add_argument(
        "--kind",
        choices=[k.value for k in CommunityKind],
        default="traffic",
        help="the community's kind, if it is not saved in the store (default traffic)",
    )
    p.add_argument("--member", required=True, metavar="ID", help="who posted it")
    p.add_argument(
        "--role",
        choices=[r.value for r in Role],
        default="member",
        help="their role, if they are not saved in the store (default member)",
    )
    p.add_argument(
        "--approved-member",
        action="store_true",
        help="the member is approved (exempt from some rules)",
    )
    p.add_argument("--approved", action="store_true", help="an operator approved this message")
    p.add_argument(
        "--at", metavar="ISO", help="when it was posted (default: now; UTC if no offset)"
    )
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_moderate)
