"""Sans-IO steps: store work written once, run by a sync or an async driver.

A *steps* generator holds decision logic that needs the store more than once
(a live code's pick and claim loop, recording live events). Instead of calling
the store it yields an :data:`Op` — the name of a store method and its
arguments — and receives the method's result (or has its exception thrown in).
:func:`run` drives one with a sync store, :func:`arun` with an async one (the
same method names, awaited), so ``Shortener.resolve`` and ``Shortener.aresolve``
share one implementation of every rule.

The hot path of a plain link (load, one ``hit``) does not use a generator: a
generator costs about as much as the whole in-memory resolve's slack, so there
the two drivers in :mod:`suo.shortener.service` call the store directly around
shared pure helpers.

Example:
    >>> from suo.storage.memory import MemoryStore
    >>> def two_numbers():
    ...     a = yield op("next_sequence", "demo")
    ...     b = yield op("next_sequence", "demo")
    ...     return (a, b)
    >>> run(two_numbers(), MemoryStore())
    (1, 2)
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, TypeVar

__all__ = ["Op", "Steps", "arun", "op", "run"]

T = TypeVar("T")

Op = tuple[str, tuple[Any, ...], Mapping[str, Any]]
"""One store call: ``(method name, positional args, keyword args)``."""

Steps = Generator[Op, Any, T]
"""A generator that yields :data:`Op` values and returns a ``T``."""

_NO_KW: Mapping[str, Any] = {}


def op(name: str, *args: Any, **kwargs: Any) -> Op:
    """The :data:`Op` that calls the store's ``name(*args, **kwargs)``."""
    return (name, args, kwargs or _NO_KW)


def run(steps: Steps[T], store: Any) -> T:
    """Drive ``steps`` with a sync store; return what the generator returns."""
    try:
        current = next(steps)
        while True:
            name, args, kwargs = current
            try:
                result = getattr(store, name)(*args, **kwargs)
            except Exception as exc:
                current = steps.throw(exc)
            else:
                current = steps.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value


async def arun(steps: Steps[T], store: Any) -> T:
    """Drive ``steps`` with an async store (its methods are awaited)."""
    try:
        current = next(steps)
        while True:
            name, args, kwargs = current
            try:
                result = await getattr(store, name)(*args, **kwargs)
            except Exception as exc:
                current = steps.throw(exc)
            else:
                current = steps.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value
