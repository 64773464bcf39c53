"""The one exception hierarchy of suo.

Every error suo raises on purpose is a :class:`SuoError`, so one ``except``
clause catches them all. Where a built-in fits, the class inherits it too
(``NotFound`` is also a ``KeyError``, ``InvalidURL`` also a ``ValueError``),
so code that already catches those keeps working::

    SuoError
    ├── InvalidURL (ValueError)          a target a browser must not be sent to
    ├── InvalidAlias (ValueError)        an alias outside the documented rules
    ├── AliasTaken                       the alias (code) already names a link
    ├── NotFound (KeyError)              no such link / community / member / ...
    │   └── UnknownClickId               a conversion names a click id suo never issued
    ├── InvalidInput (ValueError)        any other argument that is wrong
    │   ├── PolicyError                  an access policy that cannot work
    │   ├── ScheduleError                an SOP plan / trigger / recurrence
    │   └── CommunityError               a community rule broken by a call
    ├── QRDecodeError (ValueError)       an uploaded image with no readable QR
    ├── ConfigurationError               a store URL or option that cannot work
    │   └── MissingDependency (ImportError)  an extra is not installed
    └── StorageError                     the engine failed; ``__cause__`` holds why
        ├── StorageUnavailable (ConnectionError)  cannot reach it / timed out
        └── StorageIntegrityError        the engine refused the write

Engine errors are never swallowed: a :class:`StorageError` always carries the
driver's exception as ``__cause__`` (``raise ... from exc``).

Examples:
    >>> import suo
    >>> try:
    ...     suo.Shortener(suo.open_store("memory://")).shorten("javascript:alert(1)")
    ... except suo.errors.InvalidURL as exc:
    ...     print(type(exc).__mro__[1].__name__)
    SuoError
"""

from __future__ import annotations

__all__ = [
    "AliasTaken",
    "CommunityError",
    "ConfigurationError",
    "InvalidAlias",
    "InvalidInput",
    "InvalidURL",
    "MissingDependency",
    "NotFound",
    "PolicyError",
    "QRDecodeError",
    "ScheduleError",
    "StorageError",
    "StorageIntegrityError",
    "StorageUnavailable",
    "SuoError",
    "UnknownClickId",
]


class SuoError(Exception):
    """Root of every error suo raises on purpose."""


class InvalidURL(SuoError, ValueError):
    """A target URL was refused; the message says why and what to send instead.

    Attributes:
        reason: a stable code for programs (a :class:`suo.shortener.urls.Reason`
            value such as ``"dangerous_scheme"``), or ``None``.
    """

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class InvalidAlias(SuoError, ValueError):
    """A custom alias breaks the alias rules (charset, length, reserved words)."""


class AliasTaken(SuoError):
    """The requested alias (short code) already names another link.

    Attributes:
        alias: the code that was asked for.
    """

    def __init__(self, alias: str) -> None:
        super().__init__(
            f"the alias {alias!r} is already taken; pick another alias or omit it "
            "to get a generated code"
        )
        self.alias = alias


class NotFound(SuoError, KeyError):
    """The thing looked up does not exist in the store."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want prose
        return str(self.args[0]) if self.args else "not found"


class UnknownClickId(NotFound):
    """A conversion names a click id this store never issued (or has forgotten).

    Click ids are minted by ``resolve`` for links made with ``click_ids=True``
    and appended to the target URL; report the id exactly as the target got it.
    """


class InvalidInput(SuoError, ValueError):
    """An argument is wrong; the message names it and the accepted values."""


class PolicyError(InvalidInput):
    """An access policy or rule that cannot be applied as written."""


class ScheduleError(InvalidInput):
    """An SOP plan, trigger or recurrence rule that cannot be expanded."""


class CommunityError(InvalidInput):
    """A community operation that breaks the community's own rules."""


class QRDecodeError(SuoError, ValueError):
    """An image could not be read as one or more QR codes; the message says why."""


class ConfigurationError(SuoError):
    """A store URL, option or setting that cannot work as given."""


class MissingDependency(ConfigurationError, ImportError):
    """An optional extra is needed; the message names the ``pip install`` to run."""


class StorageError(SuoError):
    """The storage engine failed. The engine's own exception is ``__cause__``."""


class StorageUnavailable(StorageError, ConnectionError):
    """The engine could not be reached, or did not answer within the timeout."""


class StorageIntegrityError(StorageError):
    """The engine refused a write (constraint, schema mismatch, ...)."""
