"""``suo serve`` subcommands."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add the ``serve`` subcommands to the ``suo`` parser."""
