"""Type-checked (not run) use of the public API: mypy --strict must accept it.

If a public signature changes in a way that breaks callers, this file stops
type-checking; `nox -s typecheck` and CI run mypy over it.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import suo
from suo.antiblock import OS, AccessPolicy, Client, Platform, detect
from suo.decision import Decision, DecisionKind
from suo.errors import AliasTaken, InvalidURL, StorageError, SuoError
from suo.shortener import Link, LinkPage, LiveTarget, Shortener, Stats, qr
from suo.sop import RRule, templates


def make_and_resolve() -> tuple[DecisionKind, int, str | None]:
    s: Shortener = suo.Shortener(suo.open_store("memory://"), base_url="https://s.example/")
    link: Link = s.shorten(
        "https://example.com/",
        alias="typed",
        expires_at=datetime.now(UTC) + timedelta(days=1),
        max_clicks=10,
        policy=AccessPolicy.anti_block(),
        tags=["t"],
    )
    d: Decision = s.resolve(link.code, user_agent="", accept_language="zh-CN")
    page: LinkPage = s.links(tag="t")
    st: Stats = s.stats(link.code)
    _ = (page.next, st.by_platform.get("wechat", 0))
    return d.kind, d.status, d.location


def detect_client(ua: str) -> bool:
    c: Client = detect(ua)
    return c.platform is Platform.WECHAT and c.os is OS.IOS and not c.is_bot


def errors() -> str:
    try:
        suo.Shortener("memory://").shorten("javascript:alert(1)")
    except InvalidURL as exc:
        return str(exc)
    except (AliasTaken, StorageError, SuoError):
        raise
    return ""


def live_and_qr() -> bytes | str:
    s = suo.Shortener("memory://")
    link = s.shorten_live([LiveTarget("https://example.com/g", cap=200)], strategy="fill_first")
    return qr.render(s.short_url(link.code), fmt="svg")


def calendar() -> int:
    rule = RRule("FREQ=WEEKLY;BYDAY=MO", datetime(2026, 11, 30, 9, tzinfo=UTC))
    plan = templates.welfare_weekly()
    occurrences = plan.occurrences(
        datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)
    )
    return len(occurrences) + sum(1 for _ in zip(range(3), rule, strict=False))


def open_store_is_typed(url: str) -> int:
    from suo.storage import SuoStore
    from suo.storage.memory import MemoryStore

    with suo.open_store(url) as store:
        typed: SuoStore = store  # a URL gives a full, typed store
        n: int = typed.next_sequence("n")
    mine = MemoryStore()
    same: MemoryStore = suo.open_store(mine)  # an object comes back as itself
    same.close()
    return n


def conversions() -> tuple[str | None, bool, int, float | None]:
    from decimal import Decimal

    from suo.errors import UnknownClickId
    from suo.shortener import Funnel, FunnelStep, VariantComparison

    s = suo.Shortener("memory://", click_ids=False, click_param="suo_cid")
    s.shorten("https://example.com/", alias="c", click_ids=True)
    d: Decision = s.resolve("c")
    cid: str | None = d.click_id
    recorded = False
    with contextlib.suppress(UnknownClickId):
        recorded = s.track(
            cid or "", "purchase", value=Decimal("9.90"), currency="CNY", external_id="o-1"
        )
    f: Funnel = s.funnel("c", steps=("click", "purchase"), by="platform", start=None, end=None)
    first: FunnelStep = f.steps[0]
    comparison: VariantComparison | None = None
    if f.groups:
        comparison = s.compare_variants("c", event="purchase", by="platform")
    return cid, recorded, first.count, None if comparison is None else comparison.p_value
