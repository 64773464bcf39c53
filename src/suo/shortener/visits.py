"""Visits as events: who counts as a visitor, and the questions asked of them.

Every visit to a link becomes one append-only event (:class:`~suo.shortener.Visit`):
time, outcome, platform, OS, bot flag, language, referrer host, the live-code
target served, the short URL's UTM parameters and a visitor id. Click caps
and click totals stay exact counters in the engine; breakdowns, series and
uniques are read from the events (and the rollups the engine keeps of them).

People are counted without storing them: the visitor id is a keyed hash of
(IP, User-Agent) whose key is a random salt the store makes for each UTC day
and forgets after two (the scheme of privacy-first web analytics such as
Plausible). No IP address is stored; yesterday's ids cannot be recomputed
once yesterday's salt is gone.

Example:
    >>> import suo
    >>> from datetime import UTC, datetime
    >>> from zoneinfo import ZoneInfo
    >>> s = suo.Shortener("memory://", clock=lambda: datetime(2026, 12, 1, 1, 30, tzinfo=UTC))
    >>> link = s.shorten("https://example.com/", alias="sale")
    >>> for ip in ("203.0.113.7", "203.0.113.7", "198.51.100.2"):
    ...     _ = s.resolve("sale", ip=ip, query="utm_source=wechat")
    >>> s.stats("sale").clicks, s.stats("sale").uniques
    (3, 2)
    >>> [v.utm["utm_source"] for v in s.visits("sale")]
    ['wechat', 'wechat', 'wechat']
    >>> list(s.timeseries("sale", interval="day", tz=ZoneInfo("Asia/Shanghai")).rows())
    [(datetime.datetime(2026, 12, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai')), None, 3)]
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from attrs import field, frozen

from suo.errors import InvalidInput, MissingDependency
from suo.shortener.model import UTM_KEYS

__all__ = [
    "BY",
    "INTERVALS",
    "Series",
    "VisitLog",
    "language_tag",
    "referrer_host",
    "utm_params",
    "visitor_id",
]

INTERVALS = ("hour", "day")
"""Bucket sizes of :meth:`Shortener.timeseries <suo.shortener.Shortener.timeseries>`."""

BY = ("platform", "os", "outcome", "target", "referrer", "language")
"""What a series can be broken down by."""

_MAX_UTM = 200


def visitor_id(ip: str | None, user_agent: str, salt: bytes) -> str | None:
    """The visitor id: a keyed BLAKE2b hash of IP and User-Agent, 16 hex digits.

    ``salt`` is the store's salt of the day (``store.daily_salt(day)``), so the
    same person gets a new id each UTC day and ids cannot be linked across
    days or traced back to an IP once the salt is gone. ``None`` without an IP.

    Example:
        >>> a = visitor_id("203.0.113.7", "UA", b"salt-of-the-day!")
        >>> len(a), a == visitor_id("203.0.113.7", "UA", b"salt-of-the-day!")
        (16, True)
        >>> a == visitor_id("203.0.113.7", "UA", b"another-day-salt")
        False
        >>> visitor_id(None, "UA", b"salt") is None
        True
    """
    if not ip:
        return None
    h = hashlib.blake2b(digest_size=8, key=salt[:64])
    h.update(ip.encode("utf-8", "replace"))
    h.update(b"\x00")
    h.update(user_agent.encode("utf-8", "replace"))
    return h.hexdigest()


def referrer_host(referrer: str | None) -> str | None:
    """The host of a ``Referer`` header, lower case, or ``None`` (never the path or query).

    Example:
        >>> referrer_host("https://MP.weixin.qq.com/s/abc?from=timeline")
        'mp.weixin.qq.com'
        >>> referrer_host("not a url") is None
        True
    """
    if not referrer:
        return None
    try:
        host = urlsplit(referrer.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.rstrip(".")[:253] or None


def utm_params(query: str | Mapping[str, Any] | None) -> dict[str, str]:
    """The ``utm_*`` parameters of a query string (or mapping), each at most 200 chars.

    Example:
        >>> utm_params("utm_source=wechat&utm_medium=group&x=1")
        {'utm_source': 'wechat', 'utm_medium': 'group'}
    """
    if not query:
        return {}
    items: Iterable[tuple[str, Any]]
    if isinstance(query, str):
        items = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    else:
        items = query.items()
    out: dict[str, str] = {}
    for key, value in items:
        if key in UTM_KEYS and key not in out:
            text = value[0] if isinstance(value, list | tuple) and value else value
            if isinstance(text, str) and text:
                out[key] = text[:_MAX_UTM]
    return out


def language_tag(accept_language: str | None) -> str | None:
    """The first language tag of an ``Accept-Language`` header, lower case.

    Example:
        >>> language_tag("zh-CN,zh;q=0.9,en;q=0.8")
        'zh-cn'
    """
    if not accept_language:
        return None
    first = accept_language.split(",", 1)[0].split(";", 1)[0].strip().lower()
    if not first or first == "*" or len(first) > 35:
        return None
    return first


def _check_tz(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return UTC
    if isinstance(tz, str):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "America" is a folder
            raise InvalidInput(
                f"unknown time zone {tz!r}; use an IANA name like 'Asia/Shanghai'"
            ) from exc
    if not isinstance(tz, tzinfo):
        raise InvalidInput(f"tz must be a tzinfo or an IANA name, got {tz!r}")
    return tz


def bucket_start(hour_utc: datetime, interval: str, tz: tzinfo) -> datetime:
    """The start, in ``tz``, of the bucket an hour (given in UTC) falls in."""
    # Rollups are whole UTC hours. In a zone whose offset is not whole hours
    # (India +05:30, Nepal +05:45) an hour bucket is labelled with its real
    # local start (23:30), and a day bucket takes each UTC hour whole, by the
    # local day its start falls in.
    local = hour_utc.astimezone(tz)
    if interval == "hour":
        return local
    return datetime.combine(local.date(), time(), tzinfo=tz)


@frozen
class Series:
    """Visits counted per time bucket, maybe broken down by one dimension.

    Attributes:
        interval: ``"hour"`` or ``"day"``.
        by: the dimension (one of :data:`BY`) or ``None`` for totals.
        tz: the time zone buckets start in.
        points: ``(bucket_start, key, count)`` sorted by time, then key.
    """

    interval: str
    by: str | None
    tz: tzinfo
    points: tuple[tuple[datetime, str | None, int], ...] = field(factory=tuple)

    @classmethod
    def from_hours(
        cls,
        hours: Iterable[tuple[datetime, str | None, int]],
        *,
        interval: str,
        by: str | None,
        tz: tzinfo,
    ) -> Series:
        """Fold hourly UTC counts (what stores return) into buckets in ``tz``."""
        folded: dict[tuple[datetime, str | None], int] = defaultdict(int)
        for hour, key, n in hours:
            folded[(bucket_start(hour, interval, tz), key)] += n
        points = sorted(
            ((b, k, n) for (b, k), n in folded.items() if n),
            key=lambda p: (p[0], "" if p[1] is None else p[1]),
        )
        return cls(interval, by, tz, tuple(points))

    def rows(self) -> Iterator[tuple[datetime, str | None, int]]:
        """``(bucket_start, key, count)`` in time order; ``key`` is ``None`` without ``by``."""
        return iter(self.points)

    def total(self) -> int:
        """All visits in the series."""
        return sum(n for _b, _k, n in self.points)

    def keys(self) -> list[str | None]:
        """The distinct keys, most visits first."""
        counts: dict[str | None, int] = defaultdict(int)
        for _b, k, n in self.points:
            counts[k] += n
        return sorted(counts, key=lambda k: (-counts[k], "" if k is None else k))

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with columns ``bucket``, ``key``, ``count``.

        Needs ``pip install 'suo[dataframe]'``.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise MissingDependency(
                "Series.to_pandas needs pandas: pip install 'suo[dataframe]'"
            ) from exc
        return pd.DataFrame(list(self.points), columns=["bucket", "key", "count"])

    def plot(self, ax: Any = None) -> Any:
        """A matplotlib figure: one line per key (or one line of totals).

        Needs ``pip install 'suo[plot]'``. Pass ``ax`` to draw on your own axes.
        """
        try:
            import matplotlib

            if ax is None:
                matplotlib.use("Agg", force=False)
            from matplotlib.figure import Figure
        except ImportError as exc:
            raise MissingDependency(
                "Series.plot needs matplotlib: pip install 'suo[plot]'"
            ) from exc
        if ax is None:
            fig = Figure(figsize=(8, 3.2), layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        buckets = sorted({b for b, _k, _n in self.points})
        for key in self.keys():
            counts = {b: n for b, k, n in self.points if k == key}
            ax.plot(buckets, [counts.get(b, 0) for b in buckets], label=key or "visits",
                    drawstyle="steps-post" if self.interval == "hour" else "default",
                    marker="" if len(buckets) > 48 else "o")  # fmt: skip
        ax.set_ylabel("visits")
        ax.set_title(f"visits per {self.interval}" + (f" by {self.by}" if self.by else ""))
        if self.by:
            ax.legend(loc="upper left", fontsize="small")
        return fig

    def _repr_svg_(self) -> str | None:
        # Notebooks show a series as its chart when matplotlib is installed.
        try:
            fig = self.plot()
        except MissingDependency:
            return None
        import io

        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        return buf.getvalue()


class VisitLog:
    """The visit events of a link, oldest first: iterate it, or hand it to pandas.

    What :meth:`Shortener.visits <suo.shortener.Shortener.visits>` returns. It
    reads the store lazily, once: iterate it for a stream of
    :class:`~suo.shortener.Visit` (memory stays flat for a million events).
    """

    def __init__(self, events: Iterator[Any]) -> None:
        self._events = events

    def __iter__(self) -> Iterator[Any]:
        return self._events

    def __next__(self) -> Any:
        return next(self._events)

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame``, one row per event, the export's columns.

        ``utm`` is spread into ``utm_source`` ... ``utm_content`` columns.
        Needs ``pip install 'suo[dataframe]'``.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise MissingDependency(
                "visits().to_pandas needs pandas: pip install 'suo[dataframe]'"
            ) from exc
        return pd.DataFrame.from_records((flat_row(v) for v in self._events), columns=list(COLUMNS))


COLUMNS = (
    "at", "code", "outcome", "platform", "os", "bot", "language", "referrer", "target",
    *UTM_KEYS, "visitor",
)  # fmt: skip
"""The columns of a visit export, in order."""


def flat_row(visit: Any) -> dict[str, Any]:
    """A visit as a flat dict of :data:`COLUMNS` (UTM spread out, ``at`` in UTC ISO 8601)."""
    row = visit.to_dict()
    utm = row.pop("utm")
    row.update({k: utm.get(k) for k in UTM_KEYS})
    return {c: row[c] for c in COLUMNS}


def hours_between(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` widened to whole UTC hours (the rollups' grain)."""
    s = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    e = end.astimezone(UTC)
    if e != e.replace(minute=0, second=0, microsecond=0):
        e = e.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return s, e
