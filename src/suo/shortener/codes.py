"""Short-code generators and the alias rules.

Three generators, all producing codes from :data:`ALPHABET` (base 62):

* :class:`RandomCodes` (default): ``secrets``-random codes; the length grows
  by one when collisions show the space is getting crowded.
* :class:`SequenceCodes`: a store counter passed through a keyed bijection
  (a Feistel network), so codes never collide and do not reveal the count.
* :class:`HashCodes` (opt-in): the code is a hash of the target, so the same
  URL always gets the same code.

Custom aliases (:func:`check_alias`): 1-64 characters from ``A-Z a-z 0-9 _ -``,
not starting with ``-`` or ``_``, not a reserved word (:data:`RESERVED`,
compared case-insensitively). Codes are case-sensitive: ``Abc`` and ``abc``
are different links.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Protocol, runtime_checkable

from suo.errors import InvalidAlias, InvalidInput

__all__ = [
    "ALPHABET",
    "RESERVED",
    "CodeGenerator",
    "HashCodes",
    "RandomCodes",
    "SequenceCodes",
    "check_alias",
    "decode_base62",
    "encode_base62",
]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_ALIAS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

RESERVED = frozenset(
    {
        "admin", "api", "app", "assets", "console", "favicon.ico", "health", "healthz", "login",
        "logout", "metrics", "qr", "robots.txt", "static", "stats", "suo", "www",
    }
)  # fmt: skip
"""Aliases that web adapters or admin tools may need as paths."""


def encode_base62(n: int, width: int = 0) -> str:
    """Encode a non-negative integer in base 62, left-padded with ``0`` to ``width``.

    >>> encode_base62(61), encode_base62(62), encode_base62(5, 3)
    ('z', '10', '005')
    """
    if n < 0:
        raise InvalidInput(f"cannot encode a negative number: {n}")
    out = []
    while True:
        n, r = divmod(n, 62)
        out.append(ALPHABET[r])
        if n == 0:
            break
    return "".join(reversed(out)).rjust(width, "0")


def decode_base62(code: str) -> int:
    """Inverse of :func:`encode_base62`.

    >>> decode_base62("10")
    62
    """
    n = 0
    for ch in code:
        try:
            n = n * 62 + _INDEX[ch]
        except KeyError:
            raise InvalidInput(f"{ch!r} is not a base-62 digit in {code!r}") from None
    return n


def check_alias(alias: str) -> str:
    """Return ``alias`` if it follows the alias rules, else raise :class:`InvalidAlias`.

    >>> check_alias("spring-sale")
    'spring-sale'
    """
    if not isinstance(alias, str) or not _ALIAS_RE.fullmatch(alias):
        raise InvalidAlias(
            f"alias {alias!r} is not allowed: use 1-64 characters from A-Z, a-z, 0-9, "
            "'_' and '-', starting with a letter or digit"
        )
    if alias.lower() in RESERVED:
        raise InvalidAlias(f"alias {alias!r} is reserved; reserved words: {sorted(RESERVED)}")
    return alias


@runtime_checkable
class CodeGenerator(Protocol):
    """Makes candidate codes. ``attempt`` counts collisions for this request (0 first)."""

    def generate(self, target: str, attempt: int, next_number: NumberSource) -> str:
        """A candidate code for ``target``."""


class NumberSource(Protocol):
    def __call__(self) -> int: ...


class RandomCodes:
    """Random base-62 codes from :mod:`secrets`.

    Starts at ``length`` characters (62**7 ≈ 3.5e12 codes). Each request that
    collides ``grow_after`` times in a row makes every later code one
    character longer, so a crowded space grows instead of spinning.

    >>> len(RandomCodes(length=6).generate("https://a.example/", 0, lambda: 0))
    6
    """

    def __init__(self, length: int = 7, grow_after: int = 3, max_length: int = 32) -> None:
        if not 1 <= length <= max_length:
            raise InvalidInput(f"length must be within 1..{max_length}, got {length}")
        self.length = length
        self.grow_after = grow_after
        self.max_length = max_length

    def generate(self, target: str, attempt: int, next_number: NumberSource) -> str:
        if attempt and attempt % self.grow_after == 0 and self.length < self.max_length:
            self.length += 1
        # One unbiased draw for the whole code (not one per character).
        return encode_base62(secrets.randbelow(62**self.length), self.length)


class SequenceCodes:
    """Codes from a store counter through a keyed Feistel bijection: never collide.

    The counter comes from the store (atomic in every backend), so several
    processes share one sequence. The permutation is over ``62**length``
    values by cycle-walking, so codes have a fixed ``length`` until the space
    is used up, and they do not reveal how many links exist.

    >>> gen = SequenceCodes(key=b"k", length=6)
    >>> gen.decode(gen.encode(12345))
    12345
    """

    def __init__(self, key: bytes = b"suo", length: int = 6, rounds: int = 4) -> None:
        if length < 2:
            raise InvalidInput("SequenceCodes needs length >= 2")
        self.key = key
        self.length = length
        self.rounds = rounds
        self._space: int = 62**length
        bits = (self._space - 1).bit_length()
        self._half: int = (bits + 1) // 2
        self._mask: int = (1 << self._half) - 1

    def _f(self, r: int, i: int) -> int:
        h = hashlib.blake2b(r.to_bytes(16, "big") + bytes([i]), key=self.key, digest_size=8)
        return int.from_bytes(h.digest(), "big") & self._mask

    def _permute(self, n: int, inverse: bool) -> int:
        # Feistel over 2*half bits, cycle-walked into [0, 62**length).
        while True:
            left, right = n >> self._half, n & self._mask
            order = range(self.rounds - 1, -1, -1) if inverse else range(self.rounds)
            for i in order:
                if inverse:
                    left, right = right ^ self._f(left, i), left
                else:
                    left, right = right, left ^ self._f(right, i)
            n = (left << self._half) | right
            if n < self._space:
                return n

    def encode(self, number: int) -> str:
        """The code for a sequence number (a bijection on ``[0, 62**length)``)."""
        if not 0 <= number < self._space:
            raise InvalidInput(f"sequence {number} is outside 0..62**{self.length}")
        return encode_base62(self._permute(number, inverse=False), self.length)

    def decode(self, code: str) -> int:
        """The sequence number of a code made by :meth:`encode`."""
        return self._permute(decode_base62(code), inverse=True)

    def generate(self, target: str, attempt: int, next_number: NumberSource) -> str:
        return self.encode(next_number())


class HashCodes:
    """Content-hash codes: the same target always gets the same code.

    A collision with a *different* target (rare) takes the next slice of the
    hash, so distinct targets still get distinct codes.

    >>> g = HashCodes()
    >>> g.generate("https://a.example/", 0, lambda: 0) == g.generate("https://a.example/", 0, lambda: 0)
    True
    """

    deduplicates = True

    def __init__(self, length: int = 8) -> None:
        if not 4 <= length <= 40:
            raise InvalidInput(f"HashCodes length must be within 4..40, got {length}")
        self.length = length

    def generate(self, target: str, attempt: int, next_number: NumberSource) -> str:
        digest = (
            hashlib.sha256(target.encode()).digest()
            + hashlib.sha256(b"suo" + target.encode()).digest()
        )
        number = int.from_bytes(digest, "big") >> attempt
        return encode_base62(number)[-self.length :].rjust(self.length, "0")
