"""``suo domains add|list|remove``: the short domains links belong to.

Domains separate brands and campaigns; suo does not rotate domains to dodge
a platform's block.
"""

from __future__ import annotations

import argparse
from typing import Any

from suo.cli import links
from suo.cli._out import note, print_json
from suo.cli.links import parse_policies

__all__ = ["register"]


def cmd_add(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    d = s.domains.add(
        args.name,
        base_url=args.base_url,
        default=args.default,
        policy=parse_policies(args.policy or (), warn=note),
        not_found_url=args.not_found_url,
        expired_url=args.expired_url,
        pass_query=args.pass_query,
        click_ids=args.click_ids,
    )
    if args.json:
        print_json({"id": d.id, **d.to_dict()})
    else:
        print(f"{d.name}\t{d.base_url}" + ("\tdefault" if d.default else ""))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    found = s.domains.list()
    if args.json:
        print_json([{"id": d.id, **d.to_dict()} for d in found])
        return 0
    if not found:
        note("no domains: every Host is answered with the default base URL's links")
    for d in found:
        print(f"{d.name}\t{d.base_url}\t{d.id}" + ("\tdefault" if d.default else ""))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    s = links._shortener(args)
    if not s.domains.remove(args.name):
        note(f"no domain {args.name!r}")
        return 1
    print(f"removed {args.name} (its links stay stored; add the domain again to serve them)")
    return 0


def register(sub: Any) -> None:
    """Add ``suo domains`` to the ``suo`` parser."""
    from suo.cli import add_json_option, add_store_option
    from suo.cli.links import _policy_option

    group = sub.add_parser(
        "domains",
        help="the short domains links belong to (add, list, remove)",
        description="Several short domains separate brands and campaigns; the server answers "
        "by Host. suo does not rotate domains to dodge a platform's block.",
    )
    gsub = group.add_subparsers(dest="domains_command", metavar="ACTION")
    gsub.required = True
    p = gsub.add_parser("add", help="add (or replace) a domain")
    p.add_argument("name", help="the host name visitors use, e.g. go.brand.example")
    p.add_argument("--base-url", metavar="URL", help="its short URL prefix (default https://NAME/)")
    p.add_argument(
        "--default",
        action="store_true",
        help="links made without --domain belong to it, and unknown hosts get it",
    )
    _policy_option(p)
    p.add_argument("--not-found-url", metavar="URL", help="where unknown codes go instead of 404")
    p.add_argument("--expired-url", metavar="URL", help="where its expired links go instead of 410")
    p.add_argument(
        "--click-ids",
        action="store_true",
        help="click ids on counted redirects of its links without their own setting",
    )
    p.add_argument(
        "--pass-query",
        nargs="?",
        const="merge",
        default=None,
        choices=["merge", "override"],
        help="pass the short URL's query on to targets of links without their own setting"
        " (merge: the target's parameters win; override: the visitor's)",
    )
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_add)
    p = gsub.add_parser("list", help="list the domains")
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_list)
    p = gsub.add_parser("remove", help="remove a domain (exit 1 if there was none)")
    p.add_argument("name")
    add_store_option(p)
    p.set_defaults(func=cmd_remove)
