"""The campaign simulator: a seeded Monte Carlo of an SOP plan before it runs.

Give it a :class:`Scenario` (a plan for some communities, audience sizes, a
platform mix, open / escape / join / purchase rates, the live-code pool) and
:func:`simulate` answers, as distributions over the runs, per day and per
community: clicks, people, guide pages shown, joins, refused joins and
purchases; when each group QR fills; how many group QR codes the period
needs; the chance the pool runs dry before a new QR is added.

The answers come from suo itself: every visit goes through a real
:class:`suo.Shortener` on a memory store with a manual clock, so access
policies, caps, live-code strategies, expiry and events are suo's own.
See :mod:`suo.sim.run` for which visits are resolved one by one and why.

Needs numpy (``pip install 'suo[sim]'``); charts need ``suo[plot]``,
:meth:`SimResult.to_frame` needs ``suo[dataframe]``.

Example:
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from suo.sop import templates
    >>> from suo import sim
    >>> sc = sim.Scenario(templates.welfare_weekly(), datetime(2026, 12, 7, tzinfo=ZoneInfo("Asia/Shanghai")),
    ...                   communities=2, audience=200)
    >>> result = sim.simulate(sc, runs=20, seed=1)
    >>> result.total("joins", "c1").median > 0, 0 <= result.dry_chance() <= 1
    (True, True)
"""

from __future__ import annotations

from suo.sim.agents import AGENTS
from suo.sim.charts import png
from suo.sim.result import METRICS, Dist, QRFill, SimResult
from suo.sim.run import simulate
from suo.sim.scenario import WECHAT_SCAN_LIMIT, LivePool, Scenario

__all__ = [
    "AGENTS",
    "METRICS",
    "WECHAT_SCAN_LIMIT",
    "Dist",
    "LivePool",
    "QRFill",
    "Scenario",
    "SimResult",
    "png",
    "simulate",
]

from suo._exports import publish

publish(globals(), __all__)
