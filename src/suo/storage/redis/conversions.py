"""Redis implementation of :class:`~suo.shortener.conversions.ConversionStore`.

Keys (``p`` is the store prefix; braces hold the Cluster hash tag)::

    p:{c:<click id>}:click   string  the visit (JSON); expires after the ttl
                                     given (the Shortener's ``click_ttl``)
    p:{<code>}:cvk           hash    <click id>\\x1f<event>\\x1f<external id> -> 1
    p:{<code>}:cv            zset    conversions (JSON), scored by click time (µs)

A click id is looked up alone, so its key has its own hash tag. A
conversion's two keys share the link's tag: the script ``conversion_add``
checks and records it in one atomic step (``HSETNX``, then ``ZADD``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from suo.shortener.conversions import Conversion, sort_key
from suo.shortener.model import Visit
from suo.storage._common import dumps, loads
from suo.storage.redis._base import RedisBase

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // _US


class RedisConversions(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for click ids and conversions."""

    def record_click(self, visit: Visit, *, ttl: float | None = None) -> None:
        if visit.click_id is None:
            raise ValueError("record_click needs a visit with a click_id")
        seconds = None if ttl is None else max(1, int(ttl))
        self._r.set(self._key(f"c:{visit.click_id}", "click"), dumps(visit.to_dict()), ex=seconds)

    def visit_by_click(self, click_id: str) -> Visit | None:
        data = self._r.get(self._key(f"c:{click_id}", "click"))
        return None if data is None else Visit.from_dict(loads(data))

    def add_conversion(self, conversion: Conversion) -> bool:
        code = conversion.code
        keys = [self._key(code, "cvk"), self._key(code, "cv")]
        args = [
            "\x1f".join(conversion.key),
            _micros(conversion.click.at),
            dumps(conversion.to_dict()),
        ]
        return bool(self._script("conversion_add")(keys=keys, args=args))

    def conversions(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> list[Conversion]:
        lo = "-inf" if start is None else _micros(start)
        hi = "+inf" if end is None else f"({_micros(end)}"
        found = self._r.zrangebyscore(self._key(code, "cv"), lo, hi)
        return sorted((Conversion.from_dict(loads(d)) for d in found), key=sort_key)

    def delete_link(self, code: str) -> bool:
        found: bool = super().delete_link(code)  # type: ignore[misc]
        self._r.unlink(self._key(code, "cvk"), self._key(code, "cv"))
        return found
