"""Choosing and claiming a live code's target for one visit.

Strategies (which target a visitor gets, among those with room):

* ``fill_first``: in the order the targets were added; the next one starts
  when the one before is full, expired or retired.
* ``round_robin``: in turn, from an atomic counter in the store.
* ``weighted``: at random in proportion to ``weight``; if the pick filled up
  meanwhile, the next in the weighted order is tried.

Every claim of a slot is one atomic step in the engine (a conditional
``UPDATE ... WHERE used < cap``, a Lua script, a lock), so whatever the
concurrency no target goes over its cap and no claim is lost.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime

from attrs import evolve, frozen

from suo.errors import InvalidInput
from suo.shortener.live.values import WECHAT_GROUP_TTL, LiveSlot, LiveTarget, is_wechat_group
from suo.shortener.steps import Steps, op, run
from suo.shortener.store import LiveStore

__all__ = ["Pick", "coerce", "new_slots", "pick", "pick_steps"]


def coerce(target: LiveTarget | str, now: datetime) -> LiveTarget:
    """A :class:`LiveTarget` from a target or a payload string; WeChat groups get 7 days."""
    if isinstance(target, str):
        target = LiveTarget(target)
    elif not isinstance(target, LiveTarget):
        raise InvalidInput(
            f"each live target must be a LiveTarget or a payload string, got {target!r}"
        )
    if target.expires_at is None and is_wechat_group(target.payload):
        target = evolve(target, expires_at=now + WECHAT_GROUP_TTL)
    return target


def new_slots(
    store: LiveStore, code: str, targets: Iterable[LiveTarget | str], now: datetime
) -> list[LiveSlot]:
    """Slots for new targets of ``code``, with ids from the store's counter."""
    return [
        LiveSlot(
            code=code, id=store.next_sequence("live-targets"), target=coerce(t, now), added_at=now
        )
        for t in targets
    ]


@frozen
class Pick:
    """The target one visit gets.

    Attributes:
        slot: the chosen target with its fill after the claim (``None``: none had room).
        claimed: a slot was taken for this visit (give it back if the visit is refused).
        slots: every target as read before choosing.
    """

    slot: LiveSlot | None
    claimed: bool
    slots: list[LiveSlot]


def _order(
    strategy: str, candidates: list[LiveSlot], code: str, *, advance: bool
) -> Steps[list[LiveSlot]]:
    if len(candidates) <= 1:
        return candidates
    if strategy == "round_robin":
        if not advance:
            return candidates
        turn = yield op("next_sequence", f"live-turn:{code}")
        start = (turn - 1) % len(candidates)
        return candidates[start:] + candidates[:start]
    if strategy == "weighted":
        if not advance:
            return sorted(candidates, key=lambda s: (-s.target.weight, s.id))
        # Efraimidis-Spirakis: a weighted random order in one pass, so a
        # failed claim falls back to the next pick by weight.
        keyed = [(random.random() ** (1.0 / s.target.weight), s) for s in candidates]
        return [s for _k, s in sorted(keyed, key=lambda ks: -ks[0])]
    return candidates


def pick_steps(code: str, strategy: str, now: datetime, *, claim: bool) -> Steps[Pick]:
    """:func:`pick` as sans-IO steps (see :mod:`suo.shortener.steps`), for sync and async."""
    slots: list[LiveSlot] = yield op("live_targets", code)
    order = yield from _order(strategy, [s for s in slots if s.has_room(now)], code, advance=claim)
    if not claim:
        return Pick(order[0] if order else None, False, slots)
    for slot in order:
        used = yield op("claim_live_target", code, slot.id, now=now)
        if used is not None:
            return Pick(evolve(slot, used=used), True, slots)
    return Pick(None, False, slots)


def pick(store: LiveStore, code: str, strategy: str, now: datetime, *, claim: bool) -> Pick:
    """Choose the target for one visit; with ``claim``, take its slot atomically.

    Without ``claim`` (bots, preview fetchers, ``explain()``) nothing changes:
    the first target with room in the strategy's order is shown (round robin
    without advancing, weighted: the heaviest).
    """
    return run(pick_steps(code, strategy, now, claim=claim), store)
