"""suo.sim: deterministic runs match hand-computed numbers; inputs are checked."""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from suo.antiblock import AccessPolicy, Action, Platform, Rule, When, detect
from suo.errors import InvalidInput, MissingDependency
from suo.sim import AGENTS, METRICS, LivePool, Scenario, simulate
from suo.sop import templates

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, tzinfo=SH)  # welfare week: Mon 08:30 quote, 10:00 coupon...
CLICKS, PEOPLE, GUIDES, JOINS, REFUSED, BUYS = range(len(METRICS))


def deterministic(**changes: object) -> Scenario:
    """Every rate 0 or 1, everyone on WeChat, all clicks at the moment of the post."""
    base: dict[str, object] = {
        "plan": templates.welfare_weekly(),
        "start": MONDAY,
        "platforms": {"wechat": 1},
        "escape": {"wechat": 1},
        "open_rate": {"mon-quote": 1, "mon-coupon": 1, "fri-flash-sale": 1, "*": 0},
        "join_rate": {"mon-quote": 1, "mon-coupon": 1, "*": 0},
        "purchase_rate": {"fri-flash-sale": 1, "*": 0},
        "response": timedelta(0),
    }
    base.update(changes)
    return Scenario(**base)  # type: ignore[arg-type]


def test_agents_are_read_as_their_platform() -> None:
    assert set(AGENTS) == {p.value for p in Platform} - {"bot"}
    for platform, ua in AGENTS.items():
        client = detect(ua)
        assert client.platform.value == platform
        assert not client.is_bot


def test_deterministic_run_matches_hand_computed_numbers() -> None:
    sc = deterministic(communities=2, audience=(10, 4), pool=LivePool(cap=6, restock_on=()))
    r = simulate(sc, runs=3, seed=5)
    c1, c2 = r.daily[0, 0], r.daily[0, 1]
    # c1, Monday: 10 people click the quote (all WeChat -> 10 guide pages, all
    # escape), 10 scan the live code: a QR of cap 6 admits 6, refuses 4; the
    # coupon brings the 4 back, refused again. Friday: 10 clicks, the 6 members buy.
    assert c1[0].tolist() == [20, 10, 20, 6, 8, 0]
    assert c1[4].tolist() == [10, 10, 10, 0, 0, 6]
    assert c1[[1, 2, 3, 5, 6]].sum() == 0
    # c2: 4 people, all admitted on Monday; nobody left to join at the coupon.
    assert c2[0].tolist() == [8, 4, 8, 4, 0, 0]
    assert c2[4].tolist() == [4, 4, 4, 0, 0, 4]
    # Every run is the same: no rate leaves room for chance.
    assert (r.daily == r.daily[0]).all()
    assert r.dry_chance("c1") == 1.0
    assert r.dry_chance("c2") == 0.0
    assert r.dry_chance() == 1.0
    assert r.first_dry_arrival("c1").median == 7  # the 7th scan is the first refused
    assert r.first_dry_arrival("c2") is None
    assert r.qr_needed("c1").median == 1
    assert r.qr_needed().median == 2
    [fill] = r.qr_fills("c1")
    assert (fill.index, fill.chance, fill.hours.median) == (1, 1.0, 8.5)  # Mon 08:30
    assert r.qr_fills("c2") == []
    assert r.total("joins").median == 10
    assert r.total("purchases", "c1").median == 6


def test_restocked_on_full_without_delay_never_runs_dry() -> None:
    sc = deterministic(
        audience=12, pool=LivePool(cap=5, restock_on=("full",), restock_delay=timedelta(0))
    )
    r = simulate(sc, runs=1)
    assert r.total("joins").median == 12
    assert r.total("refused").median == 0
    assert r.qr_needed().median == 3 == math.ceil(12 / 5)
    assert [(f.index, f.hours.median) for f in r.qr_fills("c1")] == [(1, 8.5), (2, 8.5)]
    assert r.dry_chance() == 0.0


def test_a_restock_delay_leaves_the_pool_dry_until_the_new_qr_arrives() -> None:
    # The QR fills at 08:30, the next one is in the pool at 09:30: the other 7 of
    # the quote are refused; at the 10:00 coupon the new QR admits 5, refuses 2.
    sc = deterministic(
        audience=12, pool=LivePool(cap=5, restock_on=("full",), restock_delay=timedelta(hours=1))
    )
    r = simulate(sc, runs=1)
    monday = r.daily[0, 0, 0]
    assert monday[JOINS] == 10
    assert monday[REFUSED] == 9
    assert r.first_dry_arrival("c1").median == 6
    assert r.qr_needed().median == 2
    assert [f.hours.median for f in r.qr_fills("c1")] == [8.5, 10.0]


def test_the_policy_decides_who_gets_the_guide_page() -> None:
    browser = simulate(deterministic(platforms={"browser": 1}, audience=5), runs=1)
    assert browser.total("guides").median == 0
    assert browser.total("joins").median == 5
    qq_only = deterministic(audience=5, policy=AccessPolicy.only("qq"))
    denied = simulate(qq_only, runs=1)
    assert denied.total("clicks").median == 15
    assert denied.total("joins").median == 0
    stuck = simulate(deterministic(audience=5, escape=0), runs=1)  # nobody leaves WeChat
    assert stuck.total("guides").median == 15
    assert stuck.total("joins").median == 0


def test_a_policy_window_edge_inside_a_post_is_resolved_click_by_click() -> None:
    # Denied until 09:00, redirected after; the quote's clicks arrive 08:30-09:30.
    edge = MONDAY.replace(hour=9)
    policy = AccessPolicy("late", (Rule(When(end=edge), Action.DENY),))
    sc = deterministic(
        plan=templates.welfare_weekly(),
        audience=60,
        platforms={"browser": 1},
        open_rate={"mon-quote": 1, "*": 0},
        join_rate={"mon-quote": 1, "*": 0},
        policy=policy,
        response=timedelta(hours=1),
        pool=LivePool(cap=200),
    )
    r = simulate(sc, runs=2, seed=3)
    for run in range(2):
        joins = r.daily[run, 0, 0, JOINS]
        assert 0 < joins < 60  # some clicks came before 09:00, some after
    assert r.daily[0, 0, 0, CLICKS] == 60


def test_all_rates_one_cap_200_and_300_arrivals_runs_dry_at_201() -> None:
    plan = templates.flash_72h(MONDAY.replace(hour=20))
    sc = Scenario(
        plan, MONDAY - timedelta(days=1), days=5, audience=300, platforms={"wechat": 1},
        open_rate={"open": 1, "*": 0}, escape=1, join_rate=1, purchase_rate=1,
        pool=LivePool(cap=200, restock_on=()),
    )  # fmt: skip
    r = simulate(sc, runs=1)
    assert r.first_dry_arrival("c1").median == 201
    assert r.total("joins").median == 200
    assert r.total("refused").median == 100
    assert r.total("purchases").median == 200


def test_results_export_as_json_frames_and_charts() -> None:
    sc = Scenario(templates.welfare_weekly(), MONDAY, communities=2, audience=50)
    r = simulate(sc, runs=5, seed=2)
    data = r.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == simulate(sc, runs=5, seed=2).to_dict()
    assert len(data["daily"]) == 2 * 7 * len(METRICS)
    assert set(data["communities"]["c1"]["totals"]) == set(METRICS)
    frame = r.to_frame()
    assert list(frame.columns) == ["community", "day", "metric", "mean", "q5", "q50", "q95"]
    assert len(frame) == len(data["daily"])
    from suo.sim import png

    fig = r.plot()
    assert png(fig) == png(r.plot())
    assert png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    assert png(r.plot_fills("c1"))[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("module", "call"),
    [
        ("numpy", lambda r, sc: simulate(sc, runs=1)),
        ("pandas", lambda r, sc: r.to_frame()),
        ("matplotlib", lambda r, sc: r.plot()),
    ],
)
def test_missing_extras_name_the_pip_install(
    monkeypatch: pytest.MonkeyPatch, module: str, call
) -> None:  # type: ignore[no-untyped-def]
    sc = deterministic(audience=3)
    r = simulate(sc, runs=1)
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingDependency, match=r"pip install 'suo\["):
        call(r, sc)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"open_rate": 1.5}, "open_rate must be a number in"),
        ({"platforms": {"wechat": 0.5}}, "add up to 1"),
        ({"platforms": {"myspace": 1}}, "unknown platform 'myspace'"),
        ({"join_rate": {"nope": 0.1, "*": 0}}, "steps the plan does not have"),
        ({"purchase_rate": {"mon-quote": 0.1}}, "gives no rate for steps"),
        ({"audience": 0}, "audience must be a positive"),
        ({"communities": 2, "audience": (1, 2, 3)}, "3 sizes for 2 communities"),
        ({"start": datetime(2026, 12, 7)}, "start"),
        ({"response": timedelta(hours=-1)}, "response must be"),
        ({"escape": {"wechat": 2}}, "escape"),
    ],
)
def test_bad_scenarios_say_what_to_fix(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        deterministic(**changes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cap": 0}, "cap must be"),
        ({"strategy": "random"}, "strategy must be one of"),
        ({"restock_on": ("soon",)}, "unknown event kinds"),
        ({"initial": 5, "max_codes": 2}, "exceeds max_codes"),
        ({"ttl": timedelta(0)}, "ttl must be"),
    ],
)
def test_bad_pools_say_what_to_fix(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        LivePool(**kwargs)  # type: ignore[arg-type]


def test_bad_runs_levels_and_lookups() -> None:
    sc = deterministic(audience=2)
    with pytest.raises(InvalidInput, match="runs must be"):
        simulate(sc, runs=0)
    with pytest.raises(InvalidInput, match="levels must be"):
        simulate(sc, runs=1, levels=(0.9, 0.1))
    r = simulate(sc, runs=1)
    with pytest.raises(InvalidInput, match="no community 'c9'"):
        r.total("joins", "c9")
    with pytest.raises(InvalidInput, match="metric must be one of"):
        r.total("likes")
    with pytest.raises(InvalidInput, match=r"no quantile at 0\.25"):
        r.total("joins").q(0.25)


def test_runs_do_not_carry_state_into_each_other() -> None:
    # Round robin keeps a turn counter in the store: each run starts a new one,
    # so with nothing left to chance every run fills the same QR first.
    sc = deterministic(
        audience=5,
        open_rate={"mon-quote": 1, "*": 0},
        pool=LivePool(cap=3, initial=2, strategy="round_robin", restock_on=()),
    )
    r = simulate(sc, runs=3)
    assert [f.index for f in r.qr_fills("c1")] == [1]
    assert np.array_equal(r.fill_hours[0], r.fill_hours[2], equal_nan=True)
