"""``suo keys create | list | revoke``: API keys of the management API.

Examples::

    suo keys create --scope links:read --scope links:write --name crm --expires 90d
    suo keys list --json
    suo keys revoke Ab3dE5gH

``create`` prints the key once; the store keeps only its SHA-256 hash and
its public prefix, so a lost key cannot be shown again (revoke it and mint
another). ``list`` shows records (never a key nor a hash).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from typing import Any

from suo.cli._args import read_duration
from suo.errors import ConfigurationError, InvalidInput, StorageIntegrityError

__all__ = ["parse_expiry", "register"]

_MINT_ATTEMPTS = 3
"""Prefix collisions are one in 2**47 per pair of keys: three tries is plenty."""


def parse_expiry(text: str, now: datetime) -> datetime:
    """``--expires``: a duration from ``now`` (``30d``, ``12h``) or an ISO 8601 time (UTC if no offset).

    Example:
        >>> now = datetime(2026, 12, 1, tzinfo=UTC)
        >>> parse_expiry("30d", now).isoformat(), parse_expiry("2027-01-01T08:00+08:00", now).isoformat()
        ('2026-12-31T00:00:00+00:00', '2027-01-01T08:00:00+08:00')
    """
    span = read_duration(text)
    if span is not None:
        return now + span
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"--expires {text!r}: give a duration like 30d, 12h, 2w or an ISO time "
            "like 2027-06-30T23:59+08:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _check_scopes(scopes: list[str]) -> list[str]:
    from suo.api.keys import SCOPES

    for scope in scopes:
        if scope not in SCOPES:
            raise InvalidInput(f"unknown scope {scope!r}; scopes are {', '.join(SCOPES)}")
    return scopes


def _store(args: argparse.Namespace) -> Any:
    import suo
    from suo.api.keys import KeyStore
    from suo.cli import default_store_url

    # Any: a backend registered by a third party may keep no keys (checked here).
    store: Any = suo.open_store(args.store or default_store_url())
    if not isinstance(store, KeyStore):
        store.close()
        raise ConfigurationError(f"{store!r} keeps no API keys (the KeyStore protocol)")
    return store


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def cmd_create(args: argparse.Namespace) -> int:
    from suo.api.keys import mint_key

    scopes = _check_scopes(args.scope)
    now = datetime.now(UTC)  # the CLI is the outer edge: it may read the wall clock
    expires = parse_expiry(args.expires, now) if args.expires else None
    with _store(args) as store:
        for attempt in range(_MINT_ATTEMPTS):
            key, record, digest = mint_key(scopes, name=args.name, expires_at=expires, now=now)
            try:
                store.save_key(record, digest)
                break
            except StorageIntegrityError:
                if attempt == _MINT_ATTEMPTS - 1:
                    raise
    if args.json:
        print(json.dumps({"key": key, **record.to_dict()}, ensure_ascii=False))
    else:
        # The key alone on stdout, so KEY=$(suo keys create ...) works; the rest
        # is for the person at the terminal.
        print(key)
        until = _when(record.expires_at) if record.expires_at else "never"
        print(
            f"suo: API key {record.prefix}, scopes {', '.join(record.scopes)}, expires {until}",
            file=sys.stderr,
        )
    print(
        "suo: the key is shown only this once and is not stored; keep it now "
        f"(it is named {record.prefix} in listings and logs)",
        file=sys.stderr,
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        records = store.list_keys()
    if args.json:
        print(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("no API keys (mint one with 'suo keys create --scope links:read')", file=sys.stderr)
        return 0
    rows = [("PREFIX", "NAME", "SCOPES", "CREATED", "EXPIRES", "REVOKED")]
    rows += [
        (r.prefix, r.name or "-", ",".join(r.scopes), _when(r.created_at), _when(r.expires_at),
         _when(r.revoked_at))
        for r in records
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from suo.api.keys import parse_key

    # A whole key pasted by mistake (even with a stray quote or "Bearer ") is
    # taken for its prefix, and never echoed.
    given = args.prefix.strip()
    found = re.search(r"suo_([A-Za-z0-9]{8})_", given)
    prefix = parse_key(given) or (found.group(1) if found else given)
    with _store(args) as store:
        done = store.revoke_key(prefix, at=datetime.now(UTC))
    if not done:
        shown = prefix if len(prefix) <= 12 else prefix[:12] + "…"
        print(f"suo: no active API key with prefix {shown!r}", file=sys.stderr)
        return 1
    print(f"revoked {prefix}")
    return 0


def register(sub: Any) -> None:
    """Add ``suo keys`` and its subcommands to the ``suo`` parser."""
    from suo.api.keys import SCOPES
    from suo.cli import add_store_option

    keys = sub.add_parser(
        "keys",
        help="mint, list and revoke API keys of the management API",
        description="API keys: 'suo_<prefix>_<secret>', shown once when minted, "
        "stored only as a SHA-256 hash.",
    )
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    ksub.required = True

    p = ksub.add_parser("create", help="mint a key and print it (once)")
    p.add_argument(
        "--scope",
        action="append",
        required=True,
        metavar="SCOPE",
        help=f"what the key may do (repeat for more): {', '.join(SCOPES)}",
    )
    p.add_argument("--name", default="", help="a label for people (shown by 'list')")
    p.add_argument("--expires", metavar="WHEN", help="30d, 12h, 2w or an ISO 8601 time")
    p.add_argument("--json", action="store_true", help="print the key and its record as JSON")
    add_store_option(p)
    p.set_defaults(func=cmd_create)

    p = ksub.add_parser("list", help="list keys (prefix, name, scopes, times; never a secret)")
    p.add_argument("--json", action="store_true", help="print the records as JSON")
    add_store_option(p)
    p.set_defaults(func=cmd_list)

    p = ksub.add_parser("revoke", help="revoke the key with this prefix (exit 1 if none)")
    p.add_argument("prefix", metavar="PREFIX")
    add_store_option(p)
    p.set_defaults(func=cmd_revoke)
