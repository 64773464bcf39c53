"""Password-protected links: the scrypt hash kept in the store, and the throttle.

The store keeps only ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64 salt and
hash): a fresh 16-byte salt per link, the cost parameters beside the hash so
they can be raised later without breaking old links, and a constant-time
comparison (:func:`hmac.compare_digest`). The plain password is never stored,
logged or shown in a ``repr``.

Wrong tries are throttled on the store, so the limit holds across workers and
processes: :data:`THROTTLE` allows 5 wrong tries per client and 50 per link in
any 15-minute window; the next try in that window is answered 429 with
``Retry-After``.

Example:
    >>> h = hash_password("open sesame")
    >>> h.startswith("scrypt$16384$8$1$"), "open sesame" in h
    (True, False)
    >>> verify_password("open sesame", h), verify_password("open sesame!", h)
    (True, False)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from attrs import frozen

from suo.errors import InvalidInput

__all__ = ["THROTTLE", "Throttle", "hash_password", "verify_password"]

_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_MAX_LEN = 1024  # bytes of password accepted (scrypt's cost must not grow with input)


@frozen
class Throttle:
    """How many wrong password tries are allowed, per client and per link, in a window.

    Attributes:
        per_client: wrong tries one client (hashed IP) may make in ``window`` seconds.
        per_link: wrong tries all clients together may make on one link.
        window: the window in seconds (a fixed window from the first wrong try).
    """

    per_client: int = 5
    per_link: int = 50
    window: int = 900


THROTTLE = Throttle()
"""The default: 5 wrong tries per client, 50 per link, per 15 minutes."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _check(password: object) -> bytes:
    if not isinstance(password, str) or not password:
        raise InvalidInput("password must be a non-empty string")
    data = password.encode("utf-8", "surrogatepass")
    if len(data) > _MAX_LEN:
        raise InvalidInput(f"password must be at most {_MAX_LEN} bytes of UTF-8")
    return data


def hash_password(password: str) -> str:
    """The storable scrypt hash of ``password`` (a fresh random salt each call).

    Raises:
        InvalidInput: an empty password or one over 1024 bytes.
    """
    data = _check(password)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(data, salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def is_password_hash(value: object) -> bool:
    """Whether ``value`` looks like :func:`hash_password` output."""
    if not isinstance(value, str):
        return False
    parts = value.split("$")
    return len(parts) == 6 and parts[0] == "scrypt" and all(p.isdigit() for p in parts[1:4])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (constant-time compare)."""
    try:
        data = _check(password)
    except InvalidInput:
        return False
    if not is_password_hash(stored):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    want = base64.b64decode(digest)
    got = hashlib.scrypt(
        data, salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(want),
        maxmem=256 * 1024 * 1024,
    )  # fmt: skip
    return hmac.compare_digest(got, want)
