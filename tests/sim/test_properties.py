"""Invariants of every simulation, whatever the inputs."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from suo.sim import METRICS, Scenario, simulate

from .strategies import scenarios

CLICKS, PEOPLE, GUIDES, JOINS, REFUSED, BUYS = range(len(METRICS))


@settings(max_examples=40)
@given(sc=scenarios(), runs=st.integers(1, 4), seed=st.integers(0, 2**32))
def test_counts_keep_their_order(sc: Scenario, runs: int, seed: int) -> None:
    r = simulate(sc, runs=runs, seed=seed)
    d = r.daily
    assert (d >= 0).all()
    # Joins and purchases need a landing, a landing needs a click.
    assert (d[..., JOINS] + d[..., REFUSED] <= d[..., CLICKS]).all()
    assert (d[..., BUYS] <= d[..., CLICKS]).all()
    assert (d[..., GUIDES] <= d[..., CLICKS]).all()
    assert (d[..., PEOPLE] <= d[..., CLICKS]).all()
    assert (d[..., PEOPLE] <= sc.audience).all()
    joins = d[..., JOINS].sum(axis=2)  # [run, community]
    assert (joins <= sc.audience).all()  # each person joins once
    # No group QR admits more than its cap.
    assert (r.qr_used >= np.ceil(joins / sc.pool.cap)).all()
    assert (r.dry == (d[..., REFUSED].sum(axis=2) > 0)).all()
    attempts = joins + d[..., REFUSED].sum(axis=2)
    assert (r.first_dry <= attempts).all()
    fills = (~np.isnan(r.fill_hours)).sum(axis=2)
    assert (fills <= r.qr_used).all()
    assert (fills >= joins // sc.pool.cap).all() if sc.pool.strategy == "fill_first" else True
    assert not (r.fill_hours > sc.days * 24).any()
    if sc.join_rate == 0:
        assert joins.sum() == 0


@settings(max_examples=25)
@given(sc=scenarios(), runs=st.integers(2, 6), seed=st.integers(0, 2**32))
def test_quantiles_are_monotone_and_within_the_runs(sc: Scenario, runs: int, seed: int) -> None:
    r = simulate(sc, runs=runs, seed=seed, levels=(0.0, 0.1, 0.5, 0.9, 1.0))
    for metric in METRICS:
        for community in (None, *sc.communities):
            dists = [r.total(metric, community), *r.per_day(metric, community)]
            for dist in dists:
                values = [v for _lv, v in dist.quantiles]
                assert values == sorted(values)
                assert values[0] <= dist.mean <= values[-1]
    assert 0.0 <= r.dry_chance() <= 1.0
    assert all(r.dry_chance(c) <= r.dry_chance() for c in sc.communities)
    for community in sc.communities:
        assert r.qr_needed(community).q(0.0) >= math.ceil(
            r.total("joins", community).q(0.0) / sc.pool.cap
        )


@settings(max_examples=15)
@given(sc=scenarios(), seed=st.integers(0, 2**32))
def test_same_seed_same_result_and_runs_are_prefix_stable(sc: Scenario, seed: int) -> None:
    three = simulate(sc, runs=3, seed=seed)
    again = simulate(sc, runs=3, seed=seed)
    assert three.to_dict() == again.to_dict()
    assert (three.daily == again.daily).all()
    two = simulate(sc, runs=2, seed=seed)
    assert (three.daily[:2] == two.daily).all()
    assert (three.first_dry[:2] == two.first_dry).all()


@settings(max_examples=12)
@given(sc=scenarios(), seed=st.integers(0, 2**32))
def test_resolving_every_click_one_by_one_changes_nothing(sc: Scenario, seed: int) -> None:
    # The shortcut (one resolve per post and platform) against the plain way.
    fast = simulate(sc, runs=2, seed=seed)
    exact = simulate(sc, runs=2, seed=seed, exact=True)
    assert (fast.daily == exact.daily).all()
    assert (fast.first_dry == exact.first_dry).all()
    assert (fast.qr_used == exact.qr_used).all()
    assert np.array_equal(fast.fill_hours, exact.fill_hours, equal_nan=True)
