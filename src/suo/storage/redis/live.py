"""Redis implementation of :class:`~suo.shortener.LiveStore`.

Keys (``p`` is the store prefix). Every key of one live code carries the
code as its hash tag, the same as the link's own keys, so they share a
Redis Cluster slot and one Lua script may touch them all::

    p:{<code>}:live:ids     zset    target ids (score = id)
    p:{<code>}:live:t:<id>  hash    payload, cap, exp (µs since epoch), exp_iso,
                                    weight, used, retired, epoch, added
    p:{<code>}:live:ev      hash    event key -> LiveEvent JSON (HSETNX: once)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from suo.shortener.live import LiveEvent, LiveSlot, LiveTarget
from suo.storage.redis._base import RedisBase


def _us(value: datetime) -> int:
    delta = value.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _fields(target: LiveTarget) -> dict[str, str]:
    exp = target.expires_at
    return {
        "payload": target.payload,
        "cap": "" if target.cap is None else str(target.cap),
        "exp": "" if exp is None else str(_us(exp)),
        "exp_iso": "" if exp is None else exp.astimezone(UTC).isoformat(),
        "weight": str(target.weight),
    }


def _slot(code: str, target_id: int, h: dict[str, str]) -> LiveSlot:
    return LiveSlot(
        code=code,
        id=target_id,
        target=LiveTarget(
            h["payload"],
            cap=int(h["cap"]) if h["cap"] else None,
            expires_at=datetime.fromisoformat(h["exp_iso"]) if h["exp_iso"] else None,
            weight=int(h["weight"]),
        ),
        used=int(h["used"]),
        retired=h["retired"] == "1",
        epoch=int(h["epoch"]),
        added_at=datetime.fromisoformat(h["added"]),
    )


class RedisLive(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for live codes."""

    def _live_key(self, code: str, name: str) -> str:
        return str(self._key(code, f"live:{name}"))

    def add_live_targets(self, code: str, slots: Sequence[LiveSlot]) -> None:
        if not slots:
            return
        pipe = self._r.pipeline(transaction=True)  # one slot: MULTI is allowed
        for s in slots:
            fields = _fields(s.target)
            fields.update(
                used=str(s.used),
                retired="1" if s.retired else "0",
                epoch=str(s.epoch),
                added=s.added_at.astimezone(UTC).isoformat(),
            )
            pipe.hset(self._live_key(code, f"t:{s.id}"), mapping=fields)
            pipe.zadd(self._live_key(code, "ids"), {str(s.id): s.id})
        pipe.execute()

    def live_targets(self, code: str) -> list[LiveSlot]:
        ids = [int(i) for i in self._r.zrange(self._live_key(code, "ids"), 0, -1)]
        if not ids:
            return []
        pipe = self._r.pipeline(transaction=False)
        for i in ids:
            pipe.hgetall(self._live_key(code, f"t:{i}"))
        hashes = pipe.execute()
        return [_slot(code, i, h) for i, h in zip(ids, hashes, strict=True) if h]

    def claim_live_target(self, code: str, target_id: int, *, now: datetime) -> int | None:
        result = self._script("live_claim")(
            keys=[self._live_key(code, f"t:{target_id}")], args=[_us(now)]
        )
        used = int(result)
        return None if used < 0 else used

    def release_live_target(self, code: str, target_id: int) -> None:
        self._script("live_release")(keys=[self._live_key(code, f"t:{target_id}")])

    def update_live_target(
        self, code: str, target_id: int, target: LiveTarget, *, reset: bool
    ) -> LiveSlot | None:
        f = _fields(target)
        flat = self._script("live_update")(
            keys=[self._live_key(code, f"t:{target_id}")],
            args=[f["payload"], f["cap"], f["exp"], f["exp_iso"], f["weight"], int(reset)],
        )
        if not flat:
            return None
        return _slot(code, target_id, dict(zip(flat[::2], flat[1::2], strict=True)))

    def retire_live_target(self, code: str, target_id: int) -> bool:
        done = self._script("live_retire")(keys=[self._live_key(code, f"t:{target_id}")], args=[])
        return bool(int(done))

    def record_live_event(self, event: LiveEvent) -> bool:
        return bool(self._r.hsetnx(self._live_key(event.code, "ev"), event.key, event.to_json()))

    def live_events(self, code: str) -> list[LiveEvent]:
        found = [LiveEvent.from_json(v) for v in self._r.hvals(self._live_key(code, "ev"))]
        return sorted(found, key=lambda e: (e.seq, e.at, e.key))

    def delete_live(self, code: str) -> None:
        ids = self._r.zrange(self._live_key(code, "ids"), 0, -1)
        keys = [self._live_key(code, f"t:{i}") for i in ids]
        keys += [self._live_key(code, n) for n in ("ids", "ev")]
        # One DEL of keys in one slot: atomic, and allowed on a Cluster.
        self._r.execute_command("DEL", *keys)
