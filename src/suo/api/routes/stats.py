"""Stats and time series of a link (``/links/{code}/...``) or a tag (``/tags/{tag}/...``).

Every route needs ``stats:read``. Time series rows are
``[bucket_start, key, count]``: the bucket's start as ISO 8601 in ``tz``, the
breakdown key (``null`` without ``by``) and the human visits in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from suo.api.deps import require, shortener_of
from suo.api.routes._bodies import Instant
from suo.shortener.model import Stats
from suo.shortener.service import Shortener
from suo.shortener.visits import Series

__all__ = ["SeriesOut", "StatsOut", "router"]

router = APIRouter(tags=["stats"], dependencies=[require("stats:read")])

S = Annotated[Shortener, Depends(shortener_of)]
Interval = Annotated[Literal["hour", "day"], Query(description="bucket size")]
By = Annotated[
    Literal["platform", "os", "outcome", "target", "referrer", "language"] | None,
    Query(description="break the counts down by this field"),
]
Tz = Annotated[
    str | None,
    Query(max_length=64, description="IANA zone buckets start in (default UTC)"),
]
Start = Annotated[
    Instant | None,
    Query(description="first instant (default: 7 days (hour) or 90 days (day) before end)"),
]
End = Annotated[Instant | None, Query(description="last instant (default: now)")]


class StatsOut(BaseModel):
    """What happened to a link, or summed over a tag's links (``code`` is ``tag:<tag>``)."""

    code: str
    clicks: int = Field(description="counted clicks (caps count these)")
    visits: int = Field(description="every human visit, whatever it got")
    bots: int = Field(description="crawlers and preview fetchers, counted apart")
    uniques: int = Field(description="distinct visitors (salted per day)")
    first_visit: datetime | None
    last_visit: datetime | None
    by_platform: dict[str, int]
    by_os: dict[str, int]
    by_day: dict[str, int] = Field(description="human visits per UTC day")
    by_outcome: dict[str, int]
    by_target: dict[str, int] = Field(description="live codes: visits per target id")

    @classmethod
    def of(cls, st: Stats) -> StatsOut:
        """The API view of :class:`~suo.shortener.Stats`."""
        return cls(
            code=st.code,
            clicks=st.clicks,
            visits=st.visits,
            bots=st.bots,
            uniques=st.uniques,
            first_visit=st.first_visit,
            last_visit=st.last_visit,
            by_platform=dict(st.by_platform),
            by_os=dict(st.by_os),
            by_day=dict(st.by_day),
            by_outcome=dict(st.by_outcome),
            by_target=dict(st.by_target),
        )


class SeriesOut(BaseModel):
    """Human visits per bucket: ``rows`` of ``[bucket_start, key, count]``."""

    interval: str
    by: str | None
    tz: str
    total: int
    # A list, not a tuple: OpenAPI tools still stumble on tuple schemas
    # ("prefixItems" / array-valued "items"), and a row is read by position anyway.
    rows: list[list[str | int | None]] = Field(
        description="[bucket_start (ISO 8601, in tz), key (null without `by`), count]"
    )

    @classmethod
    def of(cls, series: Series, tz: str | None) -> SeriesOut:
        """The API view of a :class:`~suo.shortener.visits.Series`."""
        return cls(
            interval=series.interval,
            by=series.by,
            tz=tz or "UTC",
            total=series.total(),
            rows=[[b.isoformat(), k, n] for b, k, n in series.rows()],
        )


@router.get("/links/{code}/stats", response_model=StatsOut)
def link_stats(code: str, s: S) -> StatsOut:
    """Clicks, visits, bots, uniques and breakdowns of one link."""
    return StatsOut.of(s.stats(code))


class SeriesQuery:
    """The query of both series routes (FastAPI reads it from this signature)."""

    def __init__(
        self,
        interval: Interval = "hour",
        by: By = None,
        tz: Tz = None,
        start: Start = None,
        end: End = None,
    ) -> None:
        self.tz = tz
        self.options: dict[str, Any] = {
            "interval": interval, "by": by, "tz": tz, "start": start, "end": end,
        }  # fmt: skip


Q = Annotated[SeriesQuery, Depends()]


@router.get("/links/{code}/timeseries", response_model=SeriesOut)
def link_timeseries(code: str, s: S, q: Q) -> SeriesOut:
    """Human visits of one link per hour or day in ``tz``, maybe broken down ``by`` a field."""
    return SeriesOut.of(s.timeseries(code, **q.options), q.tz)


@router.get("/tags/{tag}/stats", response_model=StatsOut)
def tag_stats(tag: str, s: S) -> StatsOut:
    """The same numbers summed over every link with the tag (a campaign)."""
    return StatsOut.of(s.stats(tag=tag))


@router.get("/tags/{tag}/timeseries", response_model=SeriesOut)
def tag_timeseries(tag: str, s: S, q: Q) -> SeriesOut:
    """Human visits across every link with the tag, per hour or day in ``tz``."""
    return SeriesOut.of(s.timeseries(tag=tag, **q.options), q.tz)
