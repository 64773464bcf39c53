"""The ``suo`` command.

Subcommands live in sibling modules, each with a ``register(subparsers)``
function: ``links`` (shorten, resolve, stats, list, demo), ``export`` (visit
events as CSV, JSONL or Parquet), ``sop`` and ``serve``.
The store comes from ``--store``, else ``SUO_STORE``, else a SQLite file in the
user's data directory.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from suo.errors import SuoError

__all__ = ["default_store_url", "main"]

_MODULES = ("suo.cli.links", "suo.cli.export", "suo.cli.sop", "suo.cli.serve", "suo.cli.keys")


def default_store_url() -> str:
    """``SUO_STORE`` if set, else ``sqlite:///<user data dir>/suo.db``."""
    env = os.environ.get("SUO_STORE")
    if env:
        return env
    from platformdirs import user_data_dir

    path = Path(user_data_dir("suo", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'suo.db'}"


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """The ``--store URL`` option every subcommand that touches data takes."""
    parser.add_argument(
        "--store",
        default=None,
        help="store URL (memory://, sqlite:///file.db, postgresql+psycopg://..., redis://...); "
        "default: $SUO_STORE or a SQLite file in your data directory",
    )


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="suo", description="Short links, anti-block pages, live codes and SOP calendars."
    )
    parser.add_argument("--version", action="version", version=f"suo {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    from suo import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``suo`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except SuoError as exc:
        print(f"suo: error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
