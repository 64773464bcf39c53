"""Charts of a simulation's distributions (matplotlib, ``pip install 'suo[plot]'``).

``result`` is a :class:`~suo.sim.SimResult` (not imported here: the result
imports these functions for its ``plot`` methods). Figures are made with ``matplotlib.figure.Figure`` (no pyplot state), and
:func:`png` renders one to PNG bytes without the metadata that would change
from one machine or version to the next, so a notebook that shows them gives
byte-identical outputs each time it runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from suo.errors import MissingDependency

__all__ = ["plot_daily", "plot_fills", "png"]


def _figure(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    try:
        import matplotlib

        if ax is None:
            matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MissingDependency("suo.sim charts need matplotlib: pip install 'suo[plot]'") from exc
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def plot_daily(
    result: Any,
    metrics: Sequence[str] = ("clicks", "joins", "purchases"),
    *,
    community: str | None = None,
    ax: Any = None,
) -> Any:
    """Per day: each metric's median as a line, the outer quantiles as a band."""
    fig, ax = _figure(ax, (8, 3.2))
    x = [d.strftime("%a %m-%d") for d in result.days]
    for metric in metrics:
        dists = result.per_day(metric, community)
        lo = [d.quantiles[0][1] for d in dists]
        hi = [d.quantiles[-1][1] for d in dists]
        mid = [d.q(0.5) if 0.5 in result.levels else d.mean for d in dists]
        (line,) = ax.plot(x, mid, marker="o", label=metric)
        ax.fill_between(x, lo, hi, alpha=0.2, color=line.get_color())
    lo_l, hi_l = result.levels[0], result.levels[-1]
    ax.set_title(
        f"{community or 'all communities'}: median per day, band {lo_l:g}-{hi_l:g} quantiles"
        f" ({result.runs} runs)"
    )
    ax.legend(loc="best", fontsize="small")
    ax.tick_params(axis="x", labelsize="small")
    return fig


def plot_fills(result: Any, community: str, *, ax: Any = None) -> Any:
    """When each group QR fills: a box per QR over the runs in which it filled."""
    fig, ax = _figure(ax, (8, 3.2))
    fills = result.qr_fills(community)
    import numpy as np

    data = []
    labels = []
    for f in fills:
        column = result.fill_hours[:, result.communities.index(community), f.index - 1]
        data.append(column[~np.isnan(column)])
        labels.append(f"QR {f.index}\n{f.chance:.0%} of runs")
    if data:
        ax.boxplot(data, vert=False, tick_labels=labels)
    ax.set_xlabel("hours after the start")
    ax.set_title(f"{community}: when each group QR fills ({result.runs} runs)")
    return fig


def png(fig: Any, *, dpi: int = 80) -> bytes:
    """The figure as PNG bytes, the same bytes every time for the same figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
