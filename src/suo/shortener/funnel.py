"""Funnels (click → join → purchase) with Wilson intervals, and A/B variant comparison.

A funnel follows clicks. Its first step, ``"click"``, counts the counted
clicks among the visit events (people sent to the target, or shown a live
target). Every later step counts the distinct click ids that reported that
event *and every earlier step's event*: a purchase counts for step 3 of
``("click", "join", "purchase")`` only when the same click also has a join.
The order the reports arrived in does not matter (a shop's webhook may come
before the group bot's). So each step is a subset of the one before, and its
rate (count / previous count) is a proportion with a Wilson score interval.

The variant comparison is a two-sided two-proportion z-test at
``alpha = 0.05`` on conversions per counted click; without a significant
difference it says how many more clicks a test at 80 % power would need,
for the rates observed so far.

Examples:
    >>> low, high = wilson(30, 100)
    >>> round(low, 4), round(high, 4)
    (0.2189, 0.3958)
    >>> z, p = two_proportion_z(60, 500, 40, 500)
    >>> round(z, 3), round(p, 4)
    (2.108, 0.035)
    >>> clicks_needed(0.10, 0.12)  # per variant: 10 % vs 12 %
    3841
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

from attrs import field, frozen

from suo._stats import wilson_interval
from suo.errors import InvalidInput
from suo.shortener.conversions import Conversion, is_counted_click
from suo.shortener.model import Visit

__all__ = [
    "ALPHA",
    "FUNNEL_BY",
    "POWER",
    "Funnel",
    "FunnelStep",
    "VariantComparison",
    "build_funnel",
    "clicks_needed",
    "compare",
    "two_proportion_z",
    "wilson",
]

FUNNEL_BY = ("platform", "os", "outcome", "variant", "referrer", "target", "content")
"""What a funnel can be broken down by (``target``: the live-code target served)."""
ALPHA = 0.05
"""The significance level of :func:`compare` (two-sided)."""
POWER = 0.80
"""The power :func:`clicks_needed` plans for."""
_Z95 = NormalDist().inv_cdf(0.975)


def wilson(successes: int, trials: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials`` (95 % by default).

    ``(0.0, 1.0)`` when there are no trials: nothing is known yet.
    """
    return wilson_interval(successes, trials, z)


@frozen
class FunnelStep:
    """One step of a funnel.

    Attributes:
        name: the step (``"click"``, ``"join"``...).
        count: clicks that reached it.
        rate: ``count`` over the previous step's count (``None`` for the first
            step, or when the previous step is 0).
        low / high: the 95 % Wilson interval of ``rate`` (``0``/``1`` when unknown).
    """

    name: str
    count: int
    rate: float | None = None
    low: float = 0.0
    high: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields."""
        return {
            "name": self.name,
            "count": self.count,
            "rate": self.rate,
            "low": self.low,
            "high": self.high,
        }

    def __repr__(self) -> str:
        if self.rate is None:
            return f"{self.name} {self.count}"
        return f"{self.name} {self.count} ({self.rate:.1%}, 95% CI {self.low:.1%}–{self.high:.1%})"


def _steps(names: Sequence[str], counts: Sequence[int]) -> tuple[FunnelStep, ...]:
    out = []
    for i, (name, count) in enumerate(zip(names, counts, strict=True)):
        if i == 0 or counts[i - 1] == 0:
            out.append(FunnelStep(name, count))
            continue
        low, high = wilson(count, counts[i - 1])
        out.append(FunnelStep(name, count, count / counts[i - 1], low, high))
    return tuple(out)


@frozen
class Funnel:
    """Counts and step rates of a funnel, maybe broken down ``by`` one field.

    Attributes:
        steps: the whole funnel, one :class:`FunnelStep` per step.
        by: the breakdown field, or ``None``.
        groups: with ``by``: each value (``None`` for visits without one) to
            its own steps, largest first step first.
    """

    steps: tuple[FunnelStep, ...]
    by: str | None = None
    groups: Mapping[str | None, tuple[FunnelStep, ...]] = field(factory=dict)

    def counts(self) -> dict[str, int]:
        """Step name -> count."""
        return {s.name: s.count for s in self.steps}

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible: ``{"steps": [...], "by": ..., "groups": [{"key", "steps"}]}``."""
        return {
            "steps": [s.to_dict() for s in self.steps],
            "by": self.by,
            "groups": [
                {"key": key, "steps": [s.to_dict() for s in steps]}
                for key, steps in self.groups.items()
            ],
        }

    def __repr__(self) -> str:
        head = " → ".join(repr(s) for s in self.steps)
        if self.by is None:
            return f"Funnel({head})"
        rows = "".join(
            f"\n  {key if key is not None else '(none)'}: " + " → ".join(repr(s) for s in steps)
            for key, steps in self.groups.items()
        )
        return f"Funnel({head}; by {self.by}:{rows})"


def check_steps(steps: Iterable[str]) -> tuple[str, ...]:
    """The steps as a tuple, checked: at least one, no repeats, ``"click"`` only first."""
    if isinstance(steps, str):
        raise InvalidInput(f"steps must be a sequence of event names, not the string {steps!r}")
    names = tuple(steps)
    if not names or any(not isinstance(n, str) or not n for n in names):
        raise InvalidInput(f"steps must be non-empty event names, got {names!r}")
    if len(set(names)) < len(names):
        raise InvalidInput(f"steps must not repeat, got {names!r}")
    if "click" in names[1:]:
        raise InvalidInput(f"'click' can only be the first step, got {names!r}")
    return names


def _key(by: str, visit: Visit, content_of: Callable[[str], str | None]) -> str | None:
    if by == "content":
        return content_of(visit.code)
    value = getattr(visit, by, None)
    return None if value is None else str(value)


def build_funnel(
    clicks: Iterable[Visit],
    conversions: Iterable[Conversion],
    *,
    steps: Sequence[str] = ("click", "join", "purchase"),
    by: str | None = None,
    content_of: Callable[[str], str | None] = lambda _code: None,
) -> Funnel:
    """The :class:`Funnel` of visit events and the conversions of their clicks.

    ``clicks`` are visit events (those that are not counted clicks are left
    out); ``conversions`` the conversions of clicks in the same window.
    ``content_of(code)`` names the content item of a link (``by="content"``).

    Example:
        >>> from datetime import UTC, datetime
        >>> t = datetime(2026, 12, 1, tzinfo=UTC)
        >>> visits = [Visit(t, "wechat", code="a"), Visit(t, "browser", code="a"),
        ...           Visit(t, "wechat", code="a", outcome="guide")]
        >>> joined = Conversion("cid-0001", "join", t, Visit(t, "wechat", code="a"))
        >>> build_funnel(visits, [joined], steps=("click", "join"))
        Funnel(click 2 → join 1 (50.0%, 95% CI 9.5%–90.5%))
    """
    names = check_steps(steps)
    if by is not None and by not in FUNNEL_BY:
        raise InvalidInput(f"by must be one of {FUNNEL_BY} or None, got {by!r}")
    events = names[1:] if names[0] == "click" else names
    click_counts: dict[str | None, int] = {}
    total_clicks = 0
    if names[0] == "click":
        for v in clicks:
            if is_counted_click(v):
                total_clicks += 1
                if by is not None:
                    k = _key(by, v, content_of)
                    click_counts[k] = click_counts.get(k, 0) + 1
    # click id -> (its group, the events it has among the steps)
    reached: dict[str, tuple[str | None, set[str]]] = {}
    wanted = set(events)
    for c in conversions:
        if c.event not in wanted:
            continue
        entry = reached.get(c.click_id)
        if entry is None:
            group = None if by is None else _key(by, c.click, content_of)
            entry = reached[c.click_id] = (group, set())
        entry[1].add(c.event)

    def counts(group_of: Callable[[str | None], bool], first: int) -> list[int]:
        out = [first] if names[0] == "click" else []
        for i in range(len(events)):
            need = set(events[: i + 1])
            out.append(sum(1 for g, have in reached.values() if group_of(g) and need <= have))
        # Each step is a subset of the one before (clicks purged from the events
        # while their conversions stay are the only way to break it).
        for i in range(1, len(out)):
            out[i] = min(out[i], out[i - 1])
        return out

    whole = _steps(names, counts(lambda _g: True, total_clicks))
    if by is None:
        return Funnel(whole)
    keys = set(click_counts) | {g for g, _have in reached.values()}
    groups = {
        key: _steps(names, counts(lambda g, key=key: g == key, click_counts.get(key, 0)))  # type: ignore[misc]
        for key in keys
    }
    order = sorted(groups, key=lambda k: (-groups[k][0].count, k is None, k or ""))
    return Funnel(whole, by, {k: groups[k] for k in order})


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """``(z, two-sided p)`` of the pooled two-proportion z-test of ``k1/n1`` vs ``k2/n2``.

    ``(0.0, 1.0)`` when a group is empty or the pooled rate is 0 or 1 (no evidence).
    """
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (k1 / n1 - k2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def clicks_needed(
    p1: float, p2: float, *, alpha: float = ALPHA, power: float = POWER
) -> int | None:
    """Clicks per variant a two-sided test at ``alpha`` needs to detect ``p1`` vs ``p2``
    with probability ``power``; ``None`` when the rates are equal (no finite number).
    """
    if p1 == p2:
        return None
    za = NormalDist().inv_cdf(1 - alpha / 2)
    zb = NormalDist().inv_cdf(power)
    bar = (p1 + p2) / 2
    top = za * math.sqrt(2 * bar * (1 - bar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(top * top / ((p1 - p2) ** 2))


@frozen
class VariantComparison:
    """What :func:`compare` found.

    Attributes:
        event: the conversion compared (``"purchase"``).
        clicks / conversions / rates: per variant.
        z / p_value: the two-proportion z-test of the two best variants.
        winner: the better variant when ``p_value < alpha``, else ``None``.
        more_clicks: with no winner, about how many more clicks (all variants
            together) a test at 80 % power needs for the rates seen so far
            (``None`` when that cannot be said yet: equal rates, or no data).
        message: the answer in one English sentence.
    """

    event: str
    clicks: Mapping[str, int]
    conversions: Mapping[str, int]
    rates: Mapping[str, float | None]
    z: float
    p_value: float
    winner: str | None
    more_clicks: int | None
    message: str
    alpha: float = ALPHA

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields."""
        return {
            "event": self.event,
            "clicks": dict(self.clicks),
            "conversions": dict(self.conversions),
            "rates": dict(self.rates),
            "z": self.z,
            "p_value": self.p_value,
            "alpha": self.alpha,
            "winner": self.winner,
            "more_clicks": self.more_clicks,
            "message": self.message,
        }


def compare(
    clicks: Mapping[str, int], conversions: Mapping[str, int], *, event: str = "purchase"
) -> VariantComparison:
    """Name the better variant only when a two-sided z-test at ``alpha = 0.05`` supports it.

    With more than two variants the two with the highest observed rates are
    tested against each other.

    Example:
        >>> r = compare({"A": 500, "B": 500}, {"A": 60, "B": 40})
        >>> r.winner, round(r.p_value, 3)
        ('A', 0.035)
        >>> compare({"A": 100, "B": 100}, {"A": 12, "B": 10}).winner is None
        True
    """
    names = sorted(set(clicks) | set(conversions))
    if len(names) < 2:
        raise InvalidInput(f"comparing variants needs at least two, got {names}")
    for name in names:
        if conversions.get(name, 0) > clicks.get(name, 0):
            raise InvalidInput(f"variant {name!r} has more conversions than clicks")
    rates: dict[str, float | None] = {
        n: (conversions.get(n, 0) / clicks[n] if clicks.get(n) else None) for n in names
    }
    ranked = sorted(names, key=lambda n: (-(rates[n] or 0.0), n))
    a, b = ranked[0], ranked[1]
    k1, n1, k2, n2 = (
        conversions.get(a, 0),
        clicks.get(a, 0),
        conversions.get(b, 0),
        clicks.get(b, 0),
    )
    z, p = two_proportion_z(k1, n1, k2, n2)
    common = {
        "event": event,
        "clicks": {n: clicks.get(n, 0) for n in names},
        "conversions": {n: conversions.get(n, 0) for n in names},
        "rates": rates,
        "z": z,
        "p_value": p,
    }
    if n1 and n2 and p < ALPHA and k1 / n1 != k2 / n2:
        msg = (
            f"{a} converts better to {event}: {k1}/{n1} vs {b} {k2}/{n2}"
            f" (two-proportion z-test, z = {z:.2f}, p = {p:.4f} < {ALPHA})"
        )
        return VariantComparison(winner=a, more_clicks=None, message=msg, **common)  # type: ignore[arg-type]
    more: int | None = None
    if n1 and n2:
        need = clicks_needed(k1 / n1, k2 / n2)
        if need is not None:
            more = max(0, need - n1) + max(0, need - n2)
    how = (
        f"about {more} more clicks (80% power at the rates seen so far)"
        if more is not None
        else "more clicks (no difference seen yet to size a test for)"
    )
    msg = f"not enough data yet: p = {p:.4f} is not below {ALPHA}; needs {how}"
    return VariantComparison(winner=None, more_clicks=more, message=msg, **common)  # type: ignore[arg-type]
