"""``suo sop`` subcommands."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add the ``sop`` subcommands to the ``suo`` parser."""
