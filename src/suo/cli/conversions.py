"""``suo track``, ``suo funnel`` and ``suo export conversions``.

``suo track CLICK_ID EVENT`` records a conversion of a click (exit 0 when
recorded, 1 when it was recorded before, 1 for an unknown click id);
``suo funnel CODE`` (or ``--tag``) prints counts and step rates;
``suo export conversions`` writes conversions with their click's fields
(:data:`~suo.shortener.conversions.EXPORT_COLUMNS`) as CSV, JSONL or Parquet.

Example:
    >>> import io, suo
    >>> from datetime import UTC, datetime
    >>> s = suo.Shortener("memory://", clock=lambda: datetime(2026, 12, 1, 9, tzinfo=UTC))
    >>> _ = s.shorten("https://shop.example/", alias="shop", click_ids=True)
    >>> cid = s.resolve("shop").click_id
    >>> s.track(cid, "purchase", value="9.90", currency="CNY", external_id="o-1")
    True
    >>> out = io.StringIO()
    >>> export_conversions(s, out, "csv", code="shop")
    1
    >>> out.getvalue().splitlines()[1].split(",")[2:6]
    ['purchase', 'o-1', '9.90', 'CNY']
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from suo.errors import InvalidInput, MissingDependency
from suo.shortener.conversions import EXPORT_COLUMNS, Conversion, ConversionStore

__all__ = ["conversion_rows", "export_conversions", "register", "register_export"]


def conversion_rows(
    shortener: Any,
    *,
    code: str | None = None,
    tag: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[Conversion]:
    """The conversions of a link (or of every link with ``tag``), by click time within a link."""
    from suo.cli.export import _codes
    from suo.shortener.tracking import conversion_store

    store: ConversionStore = conversion_store(shortener)
    for c in _codes(shortener, code, tag):
        shortener.get(c)  # NotFound for an unknown code
        yield from store.conversions(c, start=start, end=end)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def export_conversions(
    shortener: Any,
    out: Any,
    fmt: str = "csv",
    *,
    code: str | None = None,
    tag: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> int:
    """Write conversions (clicks in ``[start, end)``) to ``out`` in ``fmt``; the row count.

    ``csv`` and ``jsonl`` go to a text stream, ``parquet`` to a path or binary
    stream (``value`` stays a decimal string there too: exact, as reported).
    """
    rows = conversion_rows(shortener, code=code, tag=tag, start=start, end=end)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        n = 0
        for conv in rows:
            row = conv.row()
            writer.writerow([_cell(row[c]) for c in EXPORT_COLUMNS])
            n += 1
        return n
    if fmt == "jsonl":
        n = 0
        for conv in rows:
            out.write(json.dumps(conv.row(), ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
        return n
    if fmt == "parquet":
        return _parquet(rows, out)
    raise InvalidInput(f"--format {fmt!r}: use one of csv, jsonl, parquet")


def _parquet(rows: Iterable[Conversion], out: Any) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependency(
            "--format parquet needs pyarrow: pip install 'suo[dataframe]'"
        ) from exc
    types = {c: pa.string() for c in EXPORT_COLUMNS}
    types["at"] = types["click_at"] = pa.timestamp("us", tz="UTC")
    schema = pa.schema([(c, types[c]) for c in EXPORT_COLUMNS])
    batch: dict[str, list[Any]] = {c: [] for c in EXPORT_COLUMNS}
    n = 0
    for conv in rows:
        row = conv.row()
        row["at"], row["click_at"] = conv.at, conv.click.at
        for c in EXPORT_COLUMNS:
            batch[c].append(row[c])
        n += 1
    pq.write_table(pa.Table.from_pydict(batch, schema=schema), out)
    return n


def cmd_track(args: argparse.Namespace) -> int:
    from suo.cli.export import parse_instant
    from suo.cli.links import _shortener

    at = parse_instant(args.at, "--at") if args.at else None
    s = _shortener(args)
    try:
        recorded = s.track(
            args.click_id,
            args.event,
            value=args.value,
            currency=args.currency,
            external_id=args.external_id,
            at=at,
        )
    finally:
        s.close()
    print("recorded" if recorded else "already recorded: nothing changed")
    return 0 if recorded else 1


def cmd_funnel(args: argparse.Namespace) -> int:
    from suo.cli.export import parse_instant
    from suo.cli.links import _shortener

    if (args.code is None) == (args.tag is None):
        raise InvalidInput("give a link CODE or --tag TAG (one of them)")
    start = parse_instant(args.start, "--start") if args.start else None
    end = parse_instant(args.end, "--end") if args.end else None
    steps = tuple(p.strip() for p in args.steps.split(","))
    s = _shortener(args)
    try:
        f = s.funnel(args.code, tag=args.tag, steps=steps, by=args.by, start=start, end=end)
    finally:
        s.close()
    if args.json:
        print(json.dumps(f.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(_table(None, f.steps))
    for key, group in f.groups.items():
        print(_table(f"{f.by}={key if key is not None else '(none)'}", group))
    return 0


def _table(title: str | None, steps: Any) -> str:
    lines = [] if title is None else [title]
    for st in steps:
        rate = "" if st.rate is None else f"{st.rate:7.1%}  95% CI {st.low:.1%}..{st.high:.1%}"
        lines.append(f"  {st.name:<12} {st.count:>8}  {rate}".rstrip())
    return "\n".join(lines)


def cmd_export_conversions(args: argparse.Namespace) -> int:
    from suo.cli.export import parse_instant
    from suo.cli.links import _shortener

    if args.format == "parquet" and not args.output:
        raise InvalidInput("--format parquet writes a binary file: add -o FILE.parquet")
    start = parse_instant(args.start, "--start") if args.start else None
    end = parse_instant(args.end, "--end") if args.end else None
    s = _shortener(args)
    kw: dict[str, Any] = {"code": args.code, "tag": args.tag, "start": start, "end": end}
    try:
        if args.format == "parquet":
            n = export_conversions(s, args.output, "parquet", **kw)
        elif args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                n = export_conversions(s, fh, args.format, **kw)
        else:
            n = export_conversions(s, sys.stdout, args.format, **kw)
    finally:
        s.close()
    if args.output:
        print(f"{n} conversions written to {args.output}", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add ``suo track`` and ``suo funnel`` to the ``suo`` parser."""
    from suo.cli import add_json_option, add_store_option
    from suo.shortener.funnel import FUNNEL_BY

    p = sub.add_parser(
        "track",
        help="record a conversion (join, purchase...) of a click id",
        description="Idempotent per (click id, event, external id): exit 0 when recorded,"
        " 1 when recorded before or the click id is unknown.",
    )
    p.add_argument("click_id", help="the id the target URL got (its suo_cid parameter)")
    p.add_argument("event", help="join, signup, purchase, or any name")
    p.add_argument("--value", help="what it was worth (a decimal number)")
    p.add_argument("--currency", help="ISO 4217 code, with --value (CNY, USD)")
    p.add_argument("--external-id", help="your id of it (order id): one conversion per id")
    p.add_argument("--at", metavar="WHEN", help="when it happened (ISO 8601; default now)")
    add_store_option(p)
    p.set_defaults(func=cmd_track)

    p = sub.add_parser("funnel", help="counts and step rates from clicks to conversions")
    p.add_argument("code", nargs="?", default=None, help="the link's code")
    p.add_argument("--tag", default=None, help="every link with this tag instead")
    p.add_argument("--steps", default="click,join,purchase", help="comma-separated, click first")
    p.add_argument("--by", choices=FUNNEL_BY, default=None, help="break it down by this field")
    p.add_argument("--start", metavar="WHEN", help="clicks from this ISO date/time")
    p.add_argument("--end", metavar="WHEN", help="clicks before this ISO date/time")
    add_json_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_funnel)
    export = sub.choices.get("export")
    if export is not None:  # suo.cli.export registered first: add to its subcommands
        for action in export._actions:
            if isinstance(action, argparse._SubParsersAction):
                register_export(action)


def register_export(what: Any) -> None:
    """Add ``suo export conversions`` beside ``suo export visits``."""
    from suo.cli import add_store_option

    v = what.add_parser(
        "conversions",
        help="a link's conversions with their click's fields, or every link's with --tag",
        description=f"Columns: {', '.join(EXPORT_COLUMNS)}.",
    )
    v.add_argument("code", nargs="?", default=None, help="the link's code")
    v.add_argument("--tag", default=None, help="export every link with this tag instead")
    v.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv")
    v.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    v.add_argument("--start", metavar="WHEN", help="clicks from this ISO date/time")
    v.add_argument("--end", metavar="WHEN", help="clicks before this ISO date/time")
    add_store_option(v)
    v.set_defaults(func=cmd_export_conversions)
