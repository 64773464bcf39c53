"""API keys: minted once, stored only as a hash, named in logs by a short prefix.

A key looks like ``suo_<prefix>_<secret>``: ``prefix`` (8 characters) is
public and names the key in logs and listings; the whole key is random
(about 190 bits), so a SHA-256 hash of it is safe to store and fast to check
(as GitHub and Stripe do for their tokens; a slow password hash buys nothing
for a random secret). The key itself is printed once, when minted, and is
never stored or logged.

Example:
    >>> from datetime import UTC, datetime
    >>> key, record, digest = mint_key(["links:read"], name="crm", now=datetime(2026, 12, 1, tzinfo=UTC))
    >>> key.startswith("suo_" + record.prefix + "_"), record.scopes, len(digest)
    (True, ('links:read',), 64)
    >>> check_key(key, digest), check_key(key + "x", digest)
    (True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from suo._time import from_iso, iso_utc
from suo.errors import InvalidInput

__all__ = [
    "SCOPES",
    "ApiKey",
    "KeyStore",
    "check_key",
    "hash_key",
    "mint_key",
    "parse_key",
]

SCOPES = (
    "links:read",
    "links:write",
    "live:write",
    "stats:read",
    "conversions:write",
    "moderation",
    "admin",
)
"""What a key may do. ``admin`` may do everything."""

_KEY = re.compile(r"^suo_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,100})$")


def _scopes(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    out: list[str] = []
    for scope in value:
        if scope not in SCOPES:
            raise InvalidInput(f"unknown scope {scope!r}; scopes are {', '.join(SCOPES)}")
        if scope not in out:
            out.append(scope)
    if not out:
        raise InvalidInput(f"a key needs at least one scope: {', '.join(SCOPES)}")
    return tuple(out)


@frozen
class ApiKey:
    """What is stored of a key: never the key itself.

    Attributes:
        prefix: the public part that names the key (in logs, listings, revoke).
        name: a label for people.
        scopes: what it may do (see :data:`SCOPES`).
        created_at: when it was minted.
        expires_at: when it stops working (``None``: never).
        revoked_at: when it was revoked (``None``: active).
    """

    prefix: str
    name: str = ""
    scopes: tuple[str, ...] = field(default=("links:read",), converter=_scopes)
    created_at: datetime = field(factory=lambda: datetime.now(UTC))
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        """True when this key has ``scope`` (or ``admin``)."""
        return scope in self.scopes or "admin" in self.scopes

    def active(self, now: datetime) -> bool:
        """True unless revoked or expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields (what listings show; no secret in it)."""
        return {
            "prefix": self.prefix,
            "name": self.name,
            "scopes": list(self.scopes),
            "created_at": iso_utc(self.created_at),
            "expires_at": iso_utc(self.expires_at),
            "revoked_at": iso_utc(self.revoked_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApiKey:
        """Read :meth:`to_dict` output back."""
        created = from_iso(data.get("created_at"))
        return cls(
            data["prefix"],
            data.get("name", ""),
            tuple(data.get("scopes", ())),
            created if created is not None else datetime.fromtimestamp(0, UTC),
            from_iso(data.get("expires_at")),
            from_iso(data.get("revoked_at")),
        )


def hash_key(key: str) -> str:
    """The stored form of a key: hex SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_key(key: str, digest: str) -> bool:
    """Does ``key`` hash to ``digest``? Compared in constant time."""
    return hmac.compare_digest(hash_key(key), digest)


def parse_key(key: str) -> str | None:
    """The public prefix of a well-formed key, else ``None``."""
    m = _KEY.match(key.strip())
    return None if m is None else m.group(1)


def mint_key(
    scopes: Iterable[str],
    *,
    name: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[str, ApiKey, str]:
    """A new key: ``(the key to show once, what to store, its hash to store)``."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(8))
    key = f"suo_{prefix}_{secrets.token_urlsafe(24)}"
    created = datetime.now(UTC) if now is None else now
    if expires_at is not None and expires_at <= created:
        raise InvalidInput(f"expires_at {expires_at} is not after now ({created})")
    record = ApiKey(prefix, name, tuple(scopes), created, expires_at)
    return key, record, hash_key(key)


@runtime_checkable
class KeyStore(Protocol):
    """What API keys need from a store (every backend implements it)."""

    def save_key(self, key: ApiKey, digest: str) -> None:
        """Store a new key record and its hash; :class:`~suo.errors.StorageIntegrityError`
        if the prefix exists (mint again)."""

    def get_key(self, prefix: str) -> tuple[ApiKey, str] | None:
        """The record and hash of the key with this prefix, or ``None``."""

    def list_keys(self) -> list[ApiKey]:
        """Every key record (revoked ones too), ordered by ``created_at`` then prefix."""

    def revoke_key(self, prefix: str, *, at: datetime) -> bool:
        """Mark a key revoked at ``at``; ``False`` if there is none or it was revoked."""
