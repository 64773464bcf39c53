"""What a simulation is asked: the plan, the audience, the rates and the live-code pool.

Everything is checked when the objects are made, so a wrong rate or an
unknown platform fails at once with a message that says what to change,
not half-way through a thousand runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from attrs import field, frozen

from suo._time import require_aware
from suo.antiblock.policy import AccessPolicy
from suo.errors import InvalidInput
from suo.shortener.live.values import EVENTS, STRATEGIES, WECHAT_GROUP_TTL
from suo.sim.agents import AGENTS
from suo.sop.plan import Plan
from suo.sop.triggers import Campaign

__all__ = ["WECHAT_SCAN_LIMIT", "LivePool", "Scenario"]

WECHAT_SCAN_LIMIT = 200
"""A WeChat group stops admitting by QR scan at 200 members."""


def _rate(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidInput(f"{what} must be a number in [0, 1], got {value!r}")
    return float(value)


def _rates(value: float | Mapping[str, float], what: str) -> float | Mapping[str, float]:
    if isinstance(value, Mapping):
        return {str(k): _rate(v, f"{what}[{k!r}]") for k, v in value.items()}
    return _rate(value, what)


def _open_rates(value: float | Mapping[str, float]) -> float | Mapping[str, float]:
    return _rates(value, "open_rate")


def _join_rates(value: float | Mapping[str, float]) -> float | Mapping[str, float]:
    return _rates(value, "join_rate")


def _purchase_rates(value: float | Mapping[str, float]) -> float | Mapping[str, float]:
    return _rates(value, "purchase_rate")


def _mix(value: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidInput(
            "platforms must be a mapping of platform -> share, e.g. {'wechat': 0.8, 'browser': 0.2}"
        )
    out: dict[str, float] = {}
    for key, share in value.items():
        name = getattr(key, "value", key)
        if name not in AGENTS:
            raise InvalidInput(
                f"unknown platform {key!r} in platforms; use one of {', '.join(sorted(AGENTS))}"
            )
        out[name] = _rate(share, f"platforms[{name!r}]")
    if not math.isclose(sum(out.values()), 1.0, abs_tol=1e-9):
        raise InvalidInput(f"platform shares must add up to 1, got {sum(out.values()):g}")
    return out


def _escape(value: float | Mapping[str, float]) -> float | Mapping[str, float]:
    if isinstance(value, Mapping):
        out = {}
        for key, rate in value.items():
            name = getattr(key, "value", key)
            if name not in AGENTS and name != "*":
                raise InvalidInput(f"unknown platform {key!r} in escape rates")
            out[str(name)] = _rate(rate, f"escape[{name!r}]")
        return out
    return _rate(value, "escape")


def _positive(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{what} must be a positive whole number, got {value!r}")
    return value


def _sizes(value: int | Iterable[int]) -> int | tuple[int, ...]:
    if isinstance(value, int):
        return value
    return tuple(value)


def _kinds(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _ids(value: int | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, int):  # bool too: _positive refuses it
        return tuple(f"c{i + 1}" for i in range(_positive(value, "communities")))
    if isinstance(value, str):
        raise InvalidInput("communities must be a count or a list of ids, not one string")
    ids = tuple(str(v) for v in value)
    if not ids or len(set(ids)) != len(ids):
        raise InvalidInput(f"communities must be distinct ids, got {ids!r}")
    return ids


@frozen
class LivePool:
    """Each community's live code (活码): the group QR codes behind it.

    Attributes:
        cap: visitors each group QR admits (WeChat: :data:`WECHAT_SCAN_LIMIT`).
        initial: group QR codes in the pool when the plan starts.
        ttl: how long a group QR stays valid after it is added (WeChat: 7 days).
        strategy: ``fill_first``, ``round_robin`` or ``weighted`` (suo's own).
        restock_on: live-code events (``nearly_full``, ``full``, ``empty``...)
            on which the operator adds a fresh group QR; empty: never.
        restock_delay: how long after the event the new QR is in the pool.
        max_codes: no more than this many QR codes per community and run.

    Example:
        >>> LivePool(cap=200, restock_on=()).restock_on
        ()
        >>> LivePool(cap=0)
        Traceback (most recent call last):
        ...
        suo.errors.InvalidInput: cap must be a positive whole number, got 0
    """

    cap: int = field(default=WECHAT_SCAN_LIMIT)
    initial: int = field(default=1)
    ttl: timedelta = WECHAT_GROUP_TTL
    strategy: str = "fill_first"
    restock_on: tuple[str, ...] = field(default=("nearly_full",), converter=_kinds)
    restock_delay: timedelta = timedelta(hours=1)
    max_codes: int = field(default=64)

    def __attrs_post_init__(self) -> None:
        _positive(self.cap, "cap")
        _positive(self.initial, "initial")
        _positive(self.max_codes, "max_codes")
        if self.initial > self.max_codes:
            raise InvalidInput(f"initial ({self.initial}) exceeds max_codes ({self.max_codes})")
        if not isinstance(self.ttl, timedelta) or self.ttl <= timedelta(0):
            raise InvalidInput(f"ttl must be a positive timedelta, got {self.ttl!r}")
        if self.strategy not in STRATEGIES:
            raise InvalidInput(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        bad = [k for k in self.restock_on if k not in EVENTS]
        if bad:
            raise InvalidInput(f"restock_on: unknown event kinds {bad}; use some of {EVENTS}")
        if not isinstance(self.restock_delay, timedelta) or self.restock_delay < timedelta(0):
            raise InvalidInput(
                f"restock_delay must be a timedelta >= 0, got {self.restock_delay!r}"
            )


@frozen
class Scenario:
    """A campaign to simulate: an SOP plan run in some communities for some days.

    Each occurrence of a step is a post with its own short link. Each person
    in a community's audience opens it with the step's ``open_rate``, on the
    platform drawn from ``platforms`` (the same for a person all run); the
    visit goes through :meth:`suo.Shortener.resolve` with that platform's
    User-Agent, so ``policy`` decides who gets the guide page. A guided
    visitor opens the link in the browser with the platform's ``escape``
    rate. Who reached the page joins the group with the step's
    ``join_rate`` by scanning the community's live code (a real live code,
    ``pool``); members who reached the page buy with ``purchase_rate``.

    Rates per step are a number for every step or a mapping of step id to
    rate (``"*"`` for the rest); escape rates likewise per platform.

    Attributes:
        plan: the :class:`~suo.sop.Plan` (or a template, e.g. ``welfare_weekly()``).
        start: aware datetime the simulation starts (local midnight, usually).
        days: how many days it covers.
        communities: how many communities (ids ``c1``, ``c2``...) or their ids.
        audience: people per community (one number, or one per community).
        platforms: platform -> share of the audience; shares add up to 1.
        open_rate / join_rate / purchase_rate: per step.
        escape: per platform, the share who open in the browser after a guide page.
        pool: the live-code pool (:class:`LivePool`).
        policy: the posts' :class:`~suo.antiblock.AccessPolicy` (default anti-block).
        response: clicks on a post arrive within this time after it goes out
            (and before the community's next post); ``0``: all at once.
        campaigns: campaigns for campaign-relative steps (default: the plan's).

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from suo.sop import templates
        >>> sc = Scenario(templates.welfare_weekly(), datetime(2026, 12, 7, tzinfo=ZoneInfo("Asia/Shanghai")),
        ...               communities=3, open_rate={"fri-flash-sale": 0.6, "*": 0.2})
        >>> sc.communities, sc.step_rate("open", "fri-flash-sale"), sc.step_rate("open", "mon-quote")
        (('c1', 'c2', 'c3'), 0.6, 0.2)
    """

    plan: Plan = field()
    start: datetime = field()
    days: int = field(default=7)
    communities: tuple[str, ...] = field(default=1, converter=_ids)
    audience: int | tuple[int, ...] = field(default=500, converter=_sizes)
    platforms: Mapping[str, float] = field(
        default={"wechat": 0.75, "qq": 0.1, "browser": 0.15}, converter=_mix
    )
    open_rate: float | Mapping[str, float] = field(default=0.3, converter=_open_rates)
    escape: float | Mapping[str, float] = field(default=0.5, converter=_escape)
    join_rate: float | Mapping[str, float] = field(default=0.1, converter=_join_rates)
    purchase_rate: float | Mapping[str, float] = field(default=0.05, converter=_purchase_rates)
    pool: LivePool = field(factory=LivePool)
    policy: AccessPolicy | None = field(factory=AccessPolicy.anti_block)
    response: timedelta = timedelta(hours=2)
    campaigns: tuple[Campaign, ...] | None = None

    @plan.validator
    def _check_plan(self, _a: Any, value: Any) -> None:
        if not isinstance(value, Plan):
            raise InvalidInput(f"plan must be a suo.sop.Plan, got {type(value).__name__}")

    @start.validator
    def _check_start(self, _a: Any, value: Any) -> None:
        if not isinstance(value, datetime):
            raise InvalidInput(f"start must be an aware datetime, got {value!r}")
        require_aware(value, "start")

    def __attrs_post_init__(self) -> None:
        _positive(self.days, "days")
        sizes = self.audience if isinstance(self.audience, tuple) else (self.audience,)
        for n in sizes:
            _positive(n, "audience")
        if isinstance(self.audience, tuple) and len(self.audience) != len(self.communities):
            raise InvalidInput(
                f"audience has {len(self.audience)} sizes for {len(self.communities)} communities"
            )
        if not isinstance(self.pool, LivePool):
            raise InvalidInput(f"pool must be a LivePool, got {self.pool!r}")
        if not isinstance(self.response, timedelta) or self.response < timedelta(0):
            raise InvalidInput(f"response must be a timedelta >= 0, got {self.response!r}")
        if self.policy is not None and not isinstance(self.policy, AccessPolicy):
            raise InvalidInput(f"policy must be an AccessPolicy or None, got {self.policy!r}")
        ids = {s.id for s in self.plan.steps}
        for name in ("open_rate", "join_rate", "purchase_rate"):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                unknown = set(value) - ids - {"*"}
                if unknown:
                    raise InvalidInput(
                        f"{name} names steps the plan does not have: {sorted(unknown)}; "
                        f"its steps are {sorted(ids)}"
                    )
                missing = ids - set(value)
                if missing and "*" not in value:
                    raise InvalidInput(
                        f"{name} gives no rate for steps {sorted(missing)}; add them or '*'"
                    )

    @property
    def end(self) -> datetime:
        """When the simulated period ends (``start + days``)."""
        return self.start + timedelta(days=self.days)

    def size(self, index: int) -> int:
        """The audience of the ``index``-th community."""
        return self.audience[index] if isinstance(self.audience, tuple) else self.audience

    def step_rate(self, kind: str, step: str) -> float:
        """The ``open``, ``join`` or ``purchase`` rate of a step."""
        value: float | Mapping[str, float] = getattr(self, f"{kind}_rate")
        if isinstance(value, Mapping):
            return value[step] if step in value else value["*"]
        return value

    def escape_rate(self, platform: str) -> float:
        """The share of a platform's guided visitors who open the link in the browser."""
        if isinstance(self.escape, Mapping):
            return self.escape.get(platform, self.escape.get("*", 0.0))
        return self.escape
