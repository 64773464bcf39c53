"""Small statistics shared by the content review and funnels (no dependencies)."""

from __future__ import annotations

import math

from suo.errors import InvalidInput

__all__ = ["wilson_interval"]


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a rate (95 % by default); ``(0, 1)`` with no trials.

    Example:
        >>> lo, hi = wilson_interval(30, 100)
        >>> round(lo, 3), round(hi, 3)
        (0.219, 0.396)
    """
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise InvalidInput(f"successes must be within 0..trials, got {successes} of {trials}")
    p = successes / trials
    z2 = z * z
    denom = 1 + z2 / trials
    center = p + z2 / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    lower = 0.0 if successes == 0 else max(0.0, (center - margin) / denom)
    upper = 1.0 if successes == trials else min(1.0, (center + margin) / denom)
    return lower, upper
