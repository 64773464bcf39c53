"""``suo export visits``: a link's (or a campaign tag's) visit events as CSV, JSONL or Parquet.

Events are streamed: CSV and JSONL are written one row at a time, Parquet in
row groups of :data:`BATCH_ROWS` rows, so memory stays flat however many
events there are. The columns are :data:`suo.shortener.visits.COLUMNS`.

Example:
    >>> import io, suo
    >>> from datetime import UTC, datetime
    >>> s = suo.Shortener("memory://", clock=lambda: datetime(2026, 12, 1, 9, tzinfo=UTC))
    >>> _ = s.shorten("https://example.com/", alias="sale")
    >>> _ = s.resolve("sale", ip="203.0.113.7", query="utm_source=wechat")
    >>> out = io.StringIO()
    >>> export_visits(s, out, "csv", code="sale")
    1
    >>> print(out.getvalue().splitlines()[0])
    at,code,outcome,platform,os,bot,language,referrer,target,utm_source,utm_medium,utm_campaign,utm_term,utm_content,visitor
    >>> out.getvalue().splitlines()[1].split(",")[:6]
    ['2026-12-01T09:00:00+00:00', 'sale', 'redirect', 'browser', 'other', 'false']
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any, Protocol

from suo.errors import InvalidInput, MissingDependency
from suo.shortener.visits import COLUMNS, flat_row

__all__ = [
    "BATCH_ROWS",
    "FORMATS",
    "Output",
    "TextSink",
    "export_visits",
    "parse_instant",
    "write_visits",
]

FORMATS = ("csv", "jsonl", "parquet")
"""The formats ``suo export visits`` writes."""

BATCH_ROWS = 25_000
"""Rows per Parquet row group (and the most rows held in memory at once)."""


class TextSink(Protocol):
    """Where CSV and JSONL go: anything with ``write(str)`` (a text file, ``sys.stdout``)."""

    def write(self, s: str, /) -> object: ...


Output = TextSink | IO[bytes] | str
"""A text stream (CSV, JSONL), or a path or binary stream (Parquet)."""


def parse_instant(text: str, option: str) -> datetime:
    """An ISO 8601 date or time given for ``option``, UTC when it has no offset.

    Example:
        >>> parse_instant("2026-12-01T08:00+08:00", "--start").isoformat()
        '2026-12-01T08:00:00+08:00'
        >>> parse_instant("2026-12-01", "--end").isoformat()
        '2026-12-01T00:00:00+00:00'
        >>> parse_instant("last week", "--start")
        Traceback (most recent call last):
        ...
        suo.errors.InvalidInput: --start 'last week': give an ISO 8601 date or time like 2026-12-01 or 2026-12-01T08:00+08:00
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{option} {text!r}: give an ISO 8601 date or time like 2026-12-01 "
            "or 2026-12-01T08:00+08:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _codes(shortener: Any, code: str | None, tag: str | None) -> list[str]:
    if (code is None) == (tag is None):
        raise InvalidInput("give a link CODE or --tag TAG (one of them)")
    if code is not None:
        return [code]
    codes: list[str] = []
    after: str | None = None
    while True:
        page = shortener.links(tag=tag, after=after, limit=1000)
        codes += [link.code for link in page.links]
        if page.next is None:
            return codes
        after = page.next


def _events(
    shortener: Any, codes: Iterable[str], start: datetime | None, end: datetime | None
) -> Iterator[Any]:
    for code in codes:
        yield from shortener.visits(code, start=start, end=end)


def export_visits(
    shortener: Any,
    out: Output,
    fmt: str = "csv",
    *,
    code: str | None = None,
    tag: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> int:
    """Write the visit events of ``code`` (or of every link tagged ``tag``) to ``out``.

    Events come link by link (codes in order), oldest first within a link.
    Returns how many rows were written.

    Args:
        shortener: the :class:`~suo.shortener.Shortener` to read.
        out: a text stream for ``csv``/``jsonl``; a file path or binary
            stream for ``parquet``.
        fmt: ``"csv"`` (with a header row), ``"jsonl"`` or ``"parquet"``.
        code / tag: one link, or every link carrying a tag (a campaign).
        start / end: only events in ``[start, end)`` (aware datetimes).

    Raises:
        NotFound: no link has this code.
        InvalidInput: an unknown format, or both / neither of code and tag.
        MissingDependency: ``parquet`` without pyarrow installed.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    codes = _codes(shortener, code, tag)
    return write_visits(_events(shortener, codes, start, end), out, fmt)


def write_visits(events: Iterable[Any], out: Output, fmt: str) -> int:
    """Write visit events to ``out`` in ``fmt``, streaming; returns the row count.

    Example:
        >>> import io
        >>> from datetime import UTC, datetime
        >>> from suo.shortener import Visit
        >>> out = io.StringIO()
        >>> write_visits([Visit(datetime(2026, 12, 1, tzinfo=UTC), code="a")], out, "jsonl")
        1
        >>> json.loads(out.getvalue())["at"]
        '2026-12-01T00:00:00+00:00'
    """
    if fmt == "csv":
        return _write_csv(events, _text(out))
    if fmt == "jsonl":
        return _write_jsonl(events, _text(out))
    if fmt == "parquet":
        return _write_parquet(events, out)
    raise InvalidInput(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")


def _text(out: Output) -> TextSink:
    if isinstance(out, str):
        raise InvalidInput("csv and jsonl are written to a text stream, not a path")
    return out  # type: ignore[return-value]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def _write_csv(events: Iterable[Any], out: TextSink) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for visit in events:
        row = flat_row(visit)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        n += 1
    return n


def _write_jsonl(events: Iterable[Any], out: TextSink) -> int:
    n = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for visit in events:
        out.write(dumps(flat_row(visit)))
        out.write("\n")
        n += 1
    return n


def _write_parquet(events: Iterable[Any], out: Output) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependency(
            "--format parquet needs pyarrow: pip install 'suo[dataframe]'"
        ) from exc
    types = {c: pa.string() for c in COLUMNS}
    types["at"] = pa.timestamp("us", tz="UTC")
    types["bot"] = pa.bool_()
    schema = pa.schema([(c, types[c]) for c in COLUMNS])
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        size = 0
        for visit in events:
            row = flat_row(visit)
            row["at"] = visit.at
            for c in COLUMNS:
                batch[c].append(row[c])
            size += 1
            if size == BATCH_ROWS:
                writer.write_table(pa.Table.from_pydict(batch, schema=schema))
                n += size
                batch = {c: [] for c in COLUMNS}
                size = 0
        if size or not n:
            writer.write_table(pa.Table.from_pydict(batch, schema=schema))
            n += size
    return n


def cmd_export_visits(args: argparse.Namespace) -> int:
    from suo.cli.links import _shortener

    if args.code is not None and args.tag is not None:
        raise InvalidInput("give a link CODE or --tag TAG, not both")
    if args.format == "parquet" and not args.output:
        raise InvalidInput(
            "--format parquet writes a binary file: add -o FILE.parquet (it is not sent to stdout)"
        )
    start = parse_instant(args.start, "--start") if args.start else None
    end = parse_instant(args.end, "--end") if args.end else None
    if start is not None and end is not None and start >= end:
        raise InvalidInput(f"--start {args.start} must be before --end {args.end}")
    s = _shortener(args)
    try:
        if args.format == "parquet":
            n = export_visits(s, args.output, "parquet", code=args.code, tag=args.tag,
                              start=start, end=end)  # fmt: skip
        elif args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                n = export_visits(s, fh, args.format, code=args.code, tag=args.tag,
                                  start=start, end=end)  # fmt: skip
        else:
            n = export_visits(s, sys.stdout, args.format, code=args.code, tag=args.tag,
                              start=start, end=end)  # fmt: skip
            sys.stdout.flush()
    except BrokenPipeError:
        # `suo export visits CODE | head`: the reader left; stop quietly.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        s.close()
    if args.output:
        print(f"{n} visits written to {args.output}", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add ``suo export visits`` to the ``suo`` parser."""
    from suo.cli import add_store_option

    p = sub.add_parser("export", help="export data (visit events) as CSV, JSONL or Parquet")
    what = p.add_subparsers(dest="what", metavar="WHAT")
    what.required = True
    v = what.add_parser(
        "visits",
        help="a link's visit events, or every link's with --tag",
        description="Write visit events with a header row "
        f"({', '.join(COLUMNS)}) to stdout or -o FILE, streaming.",
    )
    v.add_argument("code", nargs="?", default=None, help="the link's code")
    v.add_argument("--tag", default=None, help="export every link with this tag instead")
    v.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
    v.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    v.add_argument("--start", metavar="WHEN", help="from this ISO date/time (UTC if no offset)")
    v.add_argument("--end", metavar="WHEN", help="until this ISO date/time, exclusive")
    add_store_option(v)
    v.set_defaults(func=cmd_export_visits)
