"""A/B splits: weighted variant targets, exact over time and sticky per visitor.

New visitors are dealt variants in the order of a *smooth weighted
round-robin* cycle (the nginx upstream algorithm): a counter on the store
numbers them 1, 2, 3... across every worker, and visitor ``k`` gets the
variant at position ``k`` of the cycle. After any ``N`` new visitors, each
variant's count differs from ``N * weight / total`` by less than the number
of variants (:func:`cycle` is tested for that bound with hypothesis); over a
whole cycle (``total`` visitors) the split is exact.

A visitor who comes back gets the same variant: the assignment is kept on the
store under the visitor id (a daily-salted hash of IP and User-Agent; the
User-Agent alone when there is no IP), for as long as that id lives, i.e.
the same UTC day. The next day the visitor is new again.

Example:
    >>> cycle((70, 30))[:10]
    (0, 1, 0, 0, 0, 1, 0, 0, 1, 0)
    >>> from collections import Counter
    >>> sorted(Counter(cycle((70, 30))).items())
    [(0, 70), (1, 30)]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from suo.errors import InvalidInput

__all__ = ["MAX_TOTAL", "MAX_VARIANTS", "cycle", "variant_name"]

MAX_VARIANTS = 10
"""Most variants one link may have."""
MAX_TOTAL = 10_000
"""The largest sum of weights (the cycle is this long at most)."""


def variant_name(index: int) -> str:
    """The name visit events and ``explain`` use for a variant: ``A``, ``B``...

    Example:
        >>> variant_name(0), variant_name(2)
        ('A', 'C')
    """
    return chr(ord("A") + index)


def check_weights(weights: Iterable[object]) -> tuple[int, ...]:
    """Weights as a tuple of ints, or :class:`~suo.errors.InvalidInput` saying what is wrong."""
    out: list[int] = []
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, int) or w < 1:
            raise InvalidInput(f"each variant weight must be a positive integer, got {w!r}")
        out.append(w)
    if not 2 <= len(out) <= MAX_VARIANTS:
        raise InvalidInput(f"an A/B split needs 2 to {MAX_VARIANTS} variants, got {len(out)}")
    if sum(out) > MAX_TOTAL:
        raise InvalidInput(
            f"variant weights may add up to at most {MAX_TOTAL}, got {sum(out)}; "
            "use smaller numbers in the same ratio (70/30, not 7000/3000)"
        )
    return tuple(out)


@functools.lru_cache(maxsize=256)
def cycle(weights: tuple[int, ...]) -> tuple[int, ...]:
    """The smooth weighted round-robin order of variant indexes, ``sum(weights)`` long.

    Each step adds every variant's weight to its credit, picks the variant
    with the most credit (the first on ties) and takes the total from it.
    """
    total = sum(weights)
    credit = [0] * len(weights)
    order: list[int] = []
    for _ in range(total):
        best = 0
        for i, w in enumerate(weights):
            credit[i] += w
            if credit[i] > credit[best]:
                best = i
        credit[best] -= total
        order.append(best)
    return tuple(order)
