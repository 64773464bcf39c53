"""What the built-in stores share: closing, engine-error wrapping, the JSON codec.

:class:`StoreBase` gives every store ``with store: ...`` (closes on exit).
:class:`EngineStore` adds error wrapping done once, when a class is created
(the way the ``limits`` library wraps its storage methods): every public
method a subclass defines is replaced by one that turns the engine's
exceptions into :class:`~suo.errors.StorageError` subclasses with the
original chained as ``__cause__``. A :class:`~suo.errors.SuoError` raised
inside a method (``AliasTaken``, ``NotFound``...) passes through untouched,
and so does the ``StorageError`` of a nested wrapped call: nothing is
wrapped twice.

Examples:
    >>> from suo.storage._common import dumps, loads
    >>> dumps({"a": "é", "b": [1, 2]})
    '{"a":"é","b":[1,2]}'
    >>> loads('{"a": 1}')
    {'a': 1}
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from types import FunctionType, TracebackType
from typing import Any, Self, TypeVar

from suo.errors import SuoError

__all__ = [
    "EngineStore",
    "StoreBase",
    "dumps",
    "engine_errors",
    "hit_margin",
    "is_wrapped",
    "loads",
]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DECODER = json.JSONDecoder()


def dumps(data: Any) -> str:
    """``data`` as compact JSON text, non-ASCII kept as is (one codec for every backend)."""
    return _ENCODER.encode(data)


def hit_margin(timeout: float) -> float:
    """Seconds between a visit's deadline and the moment its caller stops waiting.

    A store's ``hit`` refuses to record a visit the engine runs after its
    deadline (``now + timeout - hit_margin(timeout)``). A visit run just
    before the deadline is still answered to a caller that is waiting, as long
    as the engine's work, the reply's way back and the clock difference
    between app and engine take less than this margin: a tenth of a second,
    or a quarter of a shorter timeout.

    Examples:
        >>> hit_margin(5.0), hit_margin(0.2)
        (0.1, 0.05)
    """
    return min(0.1, timeout / 4)


def loads(text: str | bytes) -> Any:
    """Parse JSON text written by :func:`dumps` (or any JSON)."""
    return json.loads(text) if isinstance(text, bytes) else _DECODER.decode(text)


class StoreBase:
    """Context-manager support: ``with store:`` closes the store on exit.

    Examples:
        >>> from suo.storage.memory import MemoryStore
        >>> with MemoryStore() as store:
        ...     store.in_process
        True
    """

    url: str
    in_process: bool = False
    """True when the data lives in this process (no I/O per call)."""

    def close(self) -> None:
        """Release connections and pools."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


F = TypeVar("F", bound=Callable[..., Any])

_WRAPPED = "__suo_engine_errors__"


def engine_errors(fn: F) -> F:
    """Wrap the method ``fn`` so that engine errors become ``StorageError`` subclasses.

    The instance's ``_engine_error(exc)`` says what ``exc`` becomes (``None``:
    not an engine error, re-raised as is). Already wrapped methods are returned
    unchanged.
    """
    if getattr(fn, _WRAPPED, False):
        return fn

    @functools.wraps(fn)
    def method(self: EngineStore, /, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except SuoError:
            raise
        except Exception as exc:
            error = self._engine_error(exc)
            if error is None:
                raise
            raise error from exc

    setattr(method, _WRAPPED, True)
    return method  # type: ignore[return-value]


def is_wrapped(fn: object) -> bool:
    """Whether ``fn`` went through :func:`engine_errors`."""
    return bool(getattr(fn, _WRAPPED, False))


class EngineStore(StoreBase):
    """A store over an engine: each subclass's public methods are wrapped at class creation.

    Subclasses implement :meth:`_engine_error`. Methods whose name starts with
    ``_`` are left alone (they run inside a public method, which wraps them).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and isinstance(value, FunctionType):
                setattr(cls, name, engine_errors(value))

    def _engine_error(self, exc: Exception) -> SuoError | None:
        """The ``SuoError`` that ``exc`` becomes, or ``None`` to let it through."""
        return None
