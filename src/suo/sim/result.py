"""What a simulation answers: distributions over the runs, per day and per community."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from attrs import field, frozen

from suo.errors import InvalidInput, MissingDependency

__all__ = ["METRICS", "Dist", "QRFill", "SimResult"]

METRICS = ("clicks", "people", "guides", "joins", "refused", "purchases")
"""What is counted per day: post clicks, distinct people who clicked, guide
pages shown, joins (a group QR handed out), join attempts refused because the
pool was dry, and purchases."""


def _label(level: float) -> str:
    return f"q{level * 100:g}"


@frozen
class Dist:
    """One number's distribution over the runs: its mean and quantiles.

    Example:
        >>> d = Dist(3.5, ((0.05, 1.0), (0.5, 3.0), (0.95, 7.0)))
        >>> d.q(0.5), d.to_dict()
        (3.0, {'mean': 3.5, 'q5': 1.0, 'q50': 3.0, 'q95': 7.0})
    """

    mean: float
    quantiles: tuple[tuple[float, float], ...]

    def q(self, level: float) -> float:
        """The quantile at ``level`` (one of the levels the simulation was asked for)."""
        for lv, value in self.quantiles:
            if lv == level:
                return value
        raise InvalidInput(
            f"no quantile at {level}; this result has {[lv for lv, _ in self.quantiles]}"
        )

    @property
    def median(self) -> float:
        """The 0.5 quantile (needs 0.5 among the levels)."""
        return self.q(0.5)

    def to_dict(self) -> dict[str, float]:
        """``{"mean": ..., "q5": ..., "q50": ..., ...}`` rounded to 4 places."""
        out = {"mean": round(self.mean, 4)}
        out.update({_label(lv): round(v, 4) for lv, v in self.quantiles})
        return out


@frozen
class QRFill:
    """When the ``index``-th group QR of a community filled (hours after the start).

    ``chance`` is the share of runs in which it filled; ``hours`` is the
    distribution over those runs (``None`` if it never filled).
    """

    community: str
    index: int
    chance: float
    hours: Dist | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "community": self.community,
            "qr": self.index,
            "chance": round(self.chance, 4),
            "hours": None if self.hours is None else self.hours.to_dict(),
        }


def _np() -> Any:
    try:
        import numpy as np
    except ImportError as exc:  # pragma: no cover - numpy comes with the sim extra
        raise MissingDependency("suo.sim needs numpy: pip install 'suo[sim]'") from exc
    return np


@frozen(eq=False)
class SimResult:
    """The outcome of :func:`suo.sim.simulate`: every run kept, summaries on demand.

    ``community=None`` in the methods below means all communities together
    (their numbers summed within each run before the distribution is taken).

    Attributes:
        runs / seed / levels: as asked.
        communities: community ids, in order.
        days: the local dates covered.
        daily: per-run counts, an array ``[run, community, day, metric]``
            (metrics in :data:`METRICS` order).
        dry: ``[run, community]``: a join attempt was refused (the pool ran dry).
        first_dry: ``[run, community]``: the 1-based number of the first refused
            join attempt (the arrival at the live code), 0 if none was refused.
        qr_used: ``[run, community]``: group QR codes that admitted anyone.
        fill_hours: ``[run, community, qr]``: hours after the start each group QR
            filled (NaN: it did not).
    """

    runs: int
    seed: int
    levels: tuple[float, ...]
    communities: tuple[str, ...]
    days: tuple[date, ...]
    daily: Any = field(repr=False)
    dry: Any = field(repr=False)
    first_dry: Any = field(repr=False)
    qr_used: Any = field(repr=False)
    fill_hours: Any = field(repr=False)

    # -- summaries ----------------------------------------------------------

    def _dist(self, values: Any) -> Dist:
        np = _np()
        values = np.asarray(values, dtype=float)
        qs = np.quantile(values, self.levels)
        return Dist(float(values.mean()), tuple(zip(self.levels, map(float, qs), strict=True)))

    def _community(self, community: str | None) -> slice | int:
        if community is None:
            return slice(None)
        try:
            return self.communities.index(community)
        except ValueError:
            raise InvalidInput(
                f"no community {community!r}; this result has {list(self.communities)}"
            ) from None

    def _metric(self, metric: str) -> int:
        if metric not in METRICS:
            raise InvalidInput(f"metric must be one of {METRICS}, got {metric!r}")
        return METRICS.index(metric)

    def _runs_by_day(self, metric: str, community: str | None) -> Any:
        c = self._community(community)
        values = self.daily[:, c, :, self._metric(metric)]
        return values.sum(axis=1) if community is None else values  # [run, day]

    def per_day(self, metric: str, community: str | None = None) -> list[Dist]:
        """The distribution of ``metric`` on each day.

        ``people`` counts distinct people per day (summed over communities,
        whose audiences are distinct).
        """
        values = self._runs_by_day(metric, community)
        return [self._dist(values[:, d]) for d in range(len(self.days))]

    def total(self, metric: str, community: str | None = None) -> Dist:
        """The distribution of ``metric`` over the whole period.

        For ``people`` this is the sum of the daily distinct counts (person-days).
        """
        return self._dist(self._runs_by_day(metric, community).sum(axis=1))

    def qr_needed(self, community: str | None = None) -> Dist:
        """How many group QR codes the period needs (those that admitted anyone)."""
        c = self._community(community)
        used = self.qr_used[:, c]
        return self._dist(used.sum(axis=1) if community is None else used)

    def dry_chance(self, community: str | None = None) -> float:
        """The share of runs in which the pool ran dry before a new QR was added
        (for ``None``: in at least one community)."""
        c = self._community(community)
        dry = self.dry[:, c]
        return float((dry.any(axis=1) if community is None else dry).mean())

    def first_dry_arrival(self, community: str) -> Dist | None:
        """Which arrival at the live code was the first refused, over the runs that
        ran dry (``None`` if none did)."""
        values = self.first_dry[:, self._community(community)]
        values = values[values > 0]
        return self._dist(values) if len(values) else None

    def qr_fills(self, community: str) -> list[QRFill]:
        """When each group QR filled, for every QR that filled in some run."""
        np = _np()
        hours = self.fill_hours[:, self._community(community), :]
        out = []
        for q in range(hours.shape[1]):
            column = hours[:, q]
            filled = column[~np.isnan(column)]
            if not len(filled):
                continue
            out.append(QRFill(community, q + 1, len(filled) / self.runs, self._dist(filled)))
        return out

    # -- exports ------------------------------------------------------------

    def rows(self) -> list[dict[str, Any]]:
        """One row per (community, day, metric): mean and quantiles."""
        rows = []
        for community in self.communities:
            for metric in METRICS:
                for day, dist in zip(self.days, self.per_day(metric, community), strict=True):
                    rows.append(
                        {"community": community, "day": day.isoformat(), "metric": metric}
                        | dist.to_dict()
                    )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data (no arrays, rounded floats, ISO dates)."""
        per_community = {}
        for c in self.communities:
            first = self.first_dry_arrival(c)
            per_community[c] = {
                "totals": {m: self.total(m, c).to_dict() for m in METRICS},
                "qr_needed": self.qr_needed(c).to_dict(),
                "dry_chance": round(self.dry_chance(c), 4),
                "first_dry_arrival": None if first is None else first.to_dict(),
                "qr_fills": [f.to_dict() for f in self.qr_fills(c)],
            }
        return {
            "runs": self.runs,
            "seed": self.seed,
            "levels": list(self.levels),
            "days": [d.isoformat() for d in self.days],
            "communities": per_community,
            "all": {
                "totals": {m: self.total(m).to_dict() for m in METRICS},
                "qr_needed": self.qr_needed().to_dict(),
                "dry_chance": round(self.dry_chance(), 4),
            },
            "daily": self.rows(),
        }

    def to_frame(self) -> Any:
        """:meth:`rows` as a ``pandas.DataFrame`` (needs ``pip install 'suo[dataframe]'``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise MissingDependency(
                "SimResult.to_frame needs pandas: pip install 'suo[dataframe]'"
            ) from exc
        return pd.DataFrame(self.rows())

    def plot(
        self,
        metrics: Sequence[str] = ("clicks", "joins", "purchases"),
        *,
        community: str | None = None,
        ax: Any = None,
    ) -> Any:
        """A chart of the daily distributions (see :func:`suo.sim.charts.plot_daily`)."""
        from suo.sim.charts import plot_daily

        return plot_daily(self, metrics, community=community, ax=ax)

    def plot_fills(self, community: str, *, ax: Any = None) -> Any:
        """A chart of when each group QR fills (see :func:`suo.sim.charts.plot_fills`)."""
        from suo.sim.charts import plot_fills

        return plot_fills(self, community, ax=ax)
