"""``POST /links/bulk.csv``: make links from an uploaded CSV file, all or nothing.

The first line names the columns: ``url`` (required), ``alias``, ``tags``
(semicolon-separated), ``max_clicks``, ``expires_at`` (ISO 8601 with a
zone), ``title``, ``description``, ``redirect_status``, ``tracking``. Empty
cells are left out. A bad row is named in ``errors`` by its ``row`` (0 for
the first line after the header) with its line in the file, and nothing is
made; the JSON bulk request (``POST /links/bulk``) answers the same way.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile
from pydantic import ValidationError

from suo.api.deps import require, shortener_of
from suo.api.routes.links import BulkOut, LinkIn, RowError, bulk_create
from suo.errors import InvalidInput
from suo.shortener.service import Shortener

__all__ = ["COLUMNS", "MAX_ROWS", "parse_csv", "router"]

router = APIRouter(prefix="/links", tags=["links"])

S = Annotated[Shortener, Depends(shortener_of)]

COLUMNS = (
    "url",
    "alias",
    "tags",
    "max_clicks",
    "expires_at",
    "title",
    "description",
    "redirect_status",
    "tracking",
)
"""The columns a bulk CSV may have (``url`` is required)."""

MAX_ROWS = 10_000
"""Most rows one file may hold (as for ``POST /links/bulk``)."""


def _row(cells: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in cells.items():
        value = (value or "").strip()
        if not value:
            continue
        if name == "tags":
            data["tags"] = [t.strip() for t in value.split(";") if t.strip()]
        else:
            data[name] = value
    return data


def parse_csv(data: bytes) -> list[LinkIn | RowError]:
    """The rows of a bulk CSV file: a :class:`LinkIn` each, or why the row is bad.

    Raises:
        InvalidInput: the file is not UTF-8 text, has no header with ``url``,
            has unknown columns, or more than :data:`MAX_ROWS` rows.

    Example:
        >>> rows = parse_csv(b"url,alias,tags\\nhttps://example.com/,hi,a;b\\nnot a url,,\\n")
        >>> rows[0].alias, rows[0].tags
        ('hi', ['a', 'b'])
        >>> rows[1].url
        'not a url'
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the CSV file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if "url" not in header:
        raise InvalidInput(
            "the CSV file's first line must name its columns, with 'url' among them; "
            f"columns are {', '.join(COLUMNS)}"
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(
            f"unknown CSV column(s) {', '.join(map(repr, unknown))}; columns are {', '.join(COLUMNS)}"
        )
    reader.fieldnames = header
    rows: list[LinkIn | RowError] = []
    try:
        for i, cells in enumerate(reader):
            if i >= MAX_ROWS:
                raise InvalidInput(f"the CSV file has over {MAX_ROWS} rows; split it")
            line = reader.line_num
            extra = cells.pop(None, None)
            if extra:
                rows.append(RowError(row=i, error="InvalidInput",
                                     detail=f"line {line}: {len(extra)} more cells than columns"))  # fmt: skip
                continue
            try:
                rows.append(LinkIn.model_validate(_row(cells)))
            except ValidationError as exc:
                why = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}"
                    for e in exc.errors(include_url=False)
                )
                rows.append(RowError(row=i, error="InvalidInput", detail=f"line {line}: {why}"))
    except csv.Error as exc:
        raise InvalidInput(f"the CSV file is malformed at line {reader.line_num}: {exc}") from None
    if not rows:
        raise InvalidInput("the CSV file has a header but no rows")
    return rows


@router.post(
    "/bulk.csv",
    status_code=201,
    response_model=BulkOut,
    dependencies=[require("links:write")],
    responses={
        409: {"description": "an alias is taken: nothing was made"},
        413: {"description": "the file is over the upload cap"},
        422: {"description": "a row is bad: nothing was made; `errors` says which"},
    },
)
def create_links_csv(
    s: S,
    file: Annotated[UploadFile, File(description="a CSV file (UTF-8) with a header line")],
) -> Any:
    """Make links from an uploaded CSV file, all or nothing; a bad row is named in ``errors``."""
    return bulk_create(s, parse_csv(file.file.read()))
