"""The Monte Carlo loop: numpy draws who does what, a real Shortener answers each visit.

What goes through :meth:`suo.Shortener.resolve` (on a memory store, with a
manual clock and ``tracking="counts"``):

* every scan of a community's live code: the group QR a visitor gets, the
  caps, the strategy, the 7-day expiry, the ``full``/``empty`` events that
  make the operator add a QR, and the refusal when the pool is dry are
  suo's own, visit by visit, in time order;
* the posts' short links: for each (post, platform) the real ``resolve``
  gives the decision (redirect, guide page, deny), and for a guided visitor
  a second ``resolve`` with the system browser's User-Agent.

Why the posts' links are resolved once per (post, platform) and not once
per click: such a link has no cap and no live targets, so the store's state
cannot change its answer; ``resolve`` then depends only on the link, the
User-Agent (one per platform here) and the time, through the policy's time
windows. When no rule of the policy starts or ends inside a post's arrival
window the answer is the same for every click of that post from that
platform, and it is asked once and reused across runs. When a rule's window
edge falls inside it, every click is resolved at its own time. Visits are not
recorded as events (``tracking="counts"``): nothing here reads them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from attrs import evolve

from suo.antiblock.policy import AccessPolicy
from suo.decision import DecisionKind
from suo.errors import InvalidInput
from suo.shortener.live.values import LiveEvent, LiveTarget
from suo.shortener.service import Shortener
from suo.sim.agents import AGENTS, BROWSER
from suo.sim.result import METRICS, SimResult, _np
from suo.sim.scenario import Scenario

__all__ = ["simulate"]

_LAND, _GUIDE, _STOP = 0, 1, 2
_CLICKS, _PEOPLE, _GUIDES, _JOINS, _REFUSED, _BUYS = range(len(METRICS))
# Live codes accept everyone: the group QR page is what people scan.
_OPEN = AccessPolicy("sim-live-code")
_DAY = 86_400.0


class _Clock:
    """A clock that stands still until set (like :class:`suo.testing.ManualClock`,
    which lives with the test helpers and would import pytest)."""

    __slots__ = ("now",)

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _each(items: Iterable[Any], communities: tuple[str, ...]) -> list[Any]:
    """Campaigns or member joins without a community run in every community."""
    out = []
    for item in items:
        if item.community is None:
            out += [evolve(item, community=c) for c in communities]
        else:
            out.append(item)
    return out


def _kind(decision_kind: DecisionKind) -> int:
    if decision_kind is DecisionKind.REDIRECT:
        return _LAND
    if decision_kind is DecisionKind.GUIDE:
        return _GUIDE
    return _STOP


def _edges(policy: AccessPolicy | None) -> list[datetime]:
    if policy is None:
        return []
    found = []
    for rule in policy.rules:
        for edge in (rule.when.start, rule.when.end):
            if edge is not None:
                found.append(edge)
    return found


class _Post:
    """One occurrence in one community: its link, arrival window and answers."""

    __slots__ = ("at", "code", "kinds", "offset", "per_click", "step", "window")

    def __init__(self, step: str, code: str, at: datetime, offset: float, window: float) -> None:
        self.step = step
        self.code = code
        self.at = at
        self.offset = offset  # seconds after the scenario's start
        self.window = window  # seconds in which its clicks arrive
        self.kinds: Any = None  # [platform] -> _LAND/_GUIDE/_STOP, and after escape
        self.per_click = False


class _Sim:
    def __init__(self, scenario: Scenario, *, exact: bool = False) -> None:
        np = _np()
        self.np = np
        sc = self.scenario = scenario
        self.clock = _Clock(sc.start)
        self.shortener = Shortener(
            "memory://",
            clock=self.clock,
            policy=sc.policy,
            tracking="events" if exact else "counts",
        )
        self.platforms = list(sc.platforms)
        self.mix = np.array([sc.platforms[p] for p in self.platforms])
        self.escape = np.array([sc.escape_rate(p) for p in self.platforms])
        self.agents = [AGENTS[p] for p in self.platforms]
        self.events: list[LiveEvent] = []
        self.shortener.on(None, self.events.append)
        edges = _edges(sc.policy)
        self.posts: list[list[_Post]] = []
        start, end = sc.start, sc.end
        by_community = dict(
            sc.plan.iter_by_community(
                start,
                end,
                sc.communities,
                members=_each(sc.plan.members, sc.communities),
                campaigns=_each(
                    sc.plan.campaigns if sc.campaigns is None else sc.campaigns, sc.communities
                ),
            )
        )
        for cid in sc.communities:
            occs = by_community.get(cid, [])
            posts = []
            for i, occ in enumerate(occs):
                nxt = occs[i + 1].at if i + 1 < len(occs) else end
                window = min(sc.response, nxt - occ.at, end - occ.at)
                link = self.shortener.shorten(
                    f"https://shop.example/{occ.step.id}", tags=[f"sim:{cid}"]
                )
                post = _Post(
                    occ.step.id,
                    link.code,
                    occ.at,
                    (occ.at - start).total_seconds(),
                    window.total_seconds(),
                )
                post.per_click = exact or any(occ.at < e < occ.at + window for e in edges)
                if not post.per_click:
                    post.kinds = self._kinds(post.code, occ.at)
                posts.append(post)
            self.posts.append(posts)

    def _kinds(self, code: str, at: datetime) -> Any:
        """[platform] -> (answer to the post, answer in the browser after a guide)."""
        resolve = self.shortener.resolve
        first = [_kind(resolve(code, user_agent=ua, now=at).kind) for ua in self.agents]
        browser = _kind(resolve(code, user_agent=BROWSER, now=at).kind)
        return self.np.array([first, [browser] * len(first)])

    def _pool(self, cid: str, serial: int, at: datetime) -> LiveTarget:
        pool = self.scenario.pool
        return LiveTarget(
            f"https://group.example/{cid}/{serial}", cap=pool.cap, expires_at=at + pool.ttl
        )

    def run_community(self, ci: int, run: int, rng: Any, out: dict[str, Any]) -> None:
        np = self.np
        sc = self.scenario
        pool = sc.pool
        cid = sc.communities[ci]
        n = sc.size(ci)
        ndays = sc.days
        shortener = self.shortener
        resolve = shortener.resolve
        start = sc.start
        # A fresh live code for each run: a new code, so nothing of the last run
        # (targets, events, the round-robin turn counter) carries over.
        alias = f"sim-join-{run}-{ci}"
        self.clock.now = start
        shortener.shorten_live(
            [self._pool(cid, k + 1, start) for k in range(pool.initial)],
            strategy=pool.strategy,
            alias=alias,
            policy=_OPEN,
        )
        live = shortener.live(alias)
        added = pool.initial
        pending: list[datetime] = []
        handled = 0
        self.events.clear()
        restock_on = set(pool.restock_on)

        def restock(now: datetime) -> None:
            nonlocal added, handled
            events = self.events
            while handled < len(events):
                event = events[handled]
                handled += 1
                if event.kind in restock_on and event.code == alias:
                    pending.append(event.at + pool.restock_delay)
            while pending and pending[0] <= now and added < pool.max_codes:
                due = pending.pop(0)
                added += 1
                live.add(self._pool(cid, added, due), now=due)

        platform = rng.choice(len(self.platforms), size=n, p=self.mix)
        joined = np.zeros(n, dtype=bool)
        seen = np.zeros((ndays, n), dtype=bool)
        daily = out["daily"]  # [day, metric] for this run and community
        arrivals = 0
        first_dry = 0
        for post in self.posts[ci]:
            opens = np.flatnonzero(rng.random(n) < sc.step_rate("open", post.step))
            if not len(opens):
                continue
            offsets = rng.random(len(opens)) * post.window
            order = np.argsort(offsets, kind="stable")
            opens, offsets = opens[order], offsets[order]
            plats = platform[opens]
            days = np.minimum(((post.offset + offsets) // _DAY).astype(int), ndays - 1)
            leave = rng.random(len(opens))
            if post.per_click:
                first = self._per_click(post.code, self._times(post, offsets), plats)
            else:
                first = post.kinds[0][plats]
            escaped = (first == _GUIDE) & (leave < self.escape[plats])
            if post.per_click:
                second = np.full(len(opens), _STOP)
                where = np.flatnonzero(escaped)
                second[where] = self._per_click(post.code, self._times(post, offsets[where]), None)
            else:
                second = post.kinds[1][plats]
            landed = (first == _LAND) | (escaped & (second == _LAND))
            daily[:, _CLICKS] += np.bincount(days, minlength=ndays)
            daily[:, _GUIDES] += np.bincount(days[first == _GUIDE], minlength=ndays)
            seen[days, opens] = True
            # Join attempts, in the order people arrive: each is a real scan.
            wants = (
                landed & ~joined[opens] & (rng.random(len(opens)) < sc.step_rate("join", post.step))
            )
            for i in np.flatnonzero(wants):
                now = post.at + timedelta(seconds=float(offsets[i]))
                restock(now)
                ua = BROWSER if escaped[i] else self.agents[plats[i]]
                decision = resolve(alias, user_agent=ua, now=now)
                arrivals += 1
                if decision.target is not None:
                    joined[opens[i]] = True
                    daily[days[i], _JOINS] += 1
                else:
                    daily[days[i], _REFUSED] += 1
                    if not first_dry:
                        first_dry = arrivals
            buys = (
                landed
                & joined[opens]
                & (rng.random(len(opens)) < sc.step_rate("purchase", post.step))
            )
            daily[:, _BUYS] += np.bincount(days[buys], minlength=ndays)
        restock(sc.end)
        daily[:, _PEOPLE] = seen.sum(axis=1)
        out["first_dry"] = first_dry
        slots = live.targets(include_retired=True)
        out["qr_used"] = sum(1 for s in slots if s.used > 0)
        ids = [s.id for s in slots]
        for event in self.events:
            if event.kind == "full" and event.code == alias and event.target_id in ids:
                q = ids.index(event.target_id)
                if q < out["fill"].shape[0]:
                    out["fill"][q] = (event.at - start).total_seconds() / 3600
        shortener.delete(alias)

    @staticmethod
    def _times(post: _Post, offsets: Any) -> list[datetime]:
        return [post.at + timedelta(seconds=off) for off in offsets.tolist()]

    def _per_click(self, code: str, times: list[datetime], plats: Any) -> Any:
        """Each click resolved at its own time (``plats`` None: in the system browser)."""
        resolve = self.shortener.resolve
        agents = [BROWSER] * len(times) if plats is None else [self.agents[p] for p in plats]
        return self.np.array(
            [
                _kind(resolve(code, user_agent=ua, now=at).kind)
                for ua, at in zip(agents, times, strict=True)
            ],
            dtype=int,
        )


def simulate(
    scenario: Scenario,
    *,
    runs: int = 1000,
    seed: int = 0,
    levels: tuple[float, ...] = (0.05, 0.5, 0.95),
    progress: Callable[[int], object] | None = None,
    exact: bool = False,
) -> SimResult:
    """Run ``scenario`` ``runs`` times and summarise the outcomes.

    Args:
        scenario: what to simulate (:class:`~suo.sim.Scenario`).
        runs: how many independent runs.
        seed: run ``r`` draws from a numpy generator seeded with ``(seed, r)``:
            the same seed gives the same result, and the first runs of a
            longer simulation are the runs of a shorter one. ``weighted``
            live codes draw from Python's ``random``, seeded the same way for
            the run and restored after.
        levels: the quantiles to report, increasing, in ``[0, 1]``.
        progress: called with the number of runs done after each run.
        exact: resolve every click on a post on its own and record it as a
            visit event: many times slower, and the same result (a test
            checks it), which is why it is off.

    Raises:
        InvalidInput: ``runs`` or ``levels`` out of range.
        MissingDependency: numpy is missing (``pip install 'suo[sim]'``).

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from suo.sop import templates
        >>> from suo.sim import LivePool, Scenario, simulate
        >>> sc = Scenario(templates.welfare_weekly(), datetime(2026, 12, 7, tzinfo=ZoneInfo("Asia/Shanghai")),
        ...               audience=300, platforms={"wechat": 1}, open_rate=1, escape=1,
        ...               join_rate={"mon-quote": 1, "*": 0},
        ...               purchase_rate=0, pool=LivePool(cap=200, restock_on=()))
        >>> r = simulate(sc, runs=1)
        >>> r.total("joins").median, r.total("refused").median, r.first_dry_arrival("c1").median
        (200.0, 100.0, 201.0)
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InvalidInput(f"runs must be a positive whole number, got {runs!r}")
    levels = tuple(float(lv) for lv in levels)
    if not levels or any(not 0 <= lv <= 1 for lv in levels) or list(levels) != sorted(set(levels)):
        raise InvalidInput(f"levels must be increasing numbers in [0, 1], got {levels!r}")
    if not isinstance(scenario, Scenario):
        raise InvalidInput(f"scenario must be a suo.sim.Scenario, got {type(scenario).__name__}")
    np = _np()
    sim = _Sim(scenario, exact=exact)
    ncom, ndays = len(scenario.communities), scenario.days
    nq = scenario.pool.max_codes
    daily = np.zeros((runs, ncom, ndays, len(METRICS)), dtype=np.int64)
    first_dry = np.zeros((runs, ncom), dtype=np.int64)
    qr_used = np.zeros((runs, ncom), dtype=np.int64)
    fill = np.full((runs, ncom, nq), np.nan)
    state = random.getstate()
    try:
        for r in range(runs):
            rng = np.random.default_rng((seed, r))
            random.seed(seed * 1_000_003 + r)
            for ci in range(ncom):
                out: dict[str, Any] = {"daily": daily[r, ci], "fill": fill[r, ci]}
                sim.run_community(ci, r, rng, out)
                first_dry[r, ci] = out["first_dry"]
                qr_used[r, ci] = out["qr_used"]
            if progress is not None:
                progress(r + 1)
    finally:
        random.setstate(state)
    start_day = scenario.start.date()
    return SimResult(
        runs=runs,
        seed=seed,
        levels=levels,
        communities=scenario.communities,
        days=tuple(start_day + timedelta(days=d) for d in range(ndays)),
        daily=daily,
        dry=first_dry > 0,
        first_dry=first_dry,
        qr_used=qr_used,
        fill_hours=fill,
    )
