"""The ``suo`` command.

Subcommands live in sibling modules, each with a ``register(subparsers)``
function: ``links`` (shorten, show, update, resolve, explain, stats, list,
delete, qr, demo), ``live`` (live codes), ``conversions`` (track, funnel), ``moderate``, ``export`` (visit
events as CSV, JSONL or Parquet), ``sop`` and ``serve``.

The store comes from ``--store`` (before or after the subcommand), else
``SUO_STORE``, else a SQLite file in the user's data directory.

Exit codes (:data:`EXIT_CODES`) are the same for every command: 0 done, 1 not
found or nothing done, 2 usage or bad input, 3 storage unavailable or failed,
130 interrupted, 141 output pipe closed (``suo ... | head``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from suo.errors import NotFound, StorageError, SuoError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PIPE_CLOSED",
    "EXIT_STORAGE",
    "cli_message",
    "default_store_url",
    "exit_code_for",
    "main",
]

_MODULES = (
    "suo.cli.links",
    "suo.cli.live",
    "suo.cli.moderate",
    "suo.cli.export",
    "suo.cli.sop",
    "suo.cli.serve",
    "suo.cli.keys",
    "suo.cli.conversions",
    "suo.cli.domains",
)

EXIT_OK = 0
"""The command did what was asked."""
EXIT_NOT_FOUND = 1
"""No such link / target / occurrence, or nothing was done (``delete`` of a missing code)."""
EXIT_BAD_INPUT = 2
"""Usage error or bad input: an unknown option, a refused URL, a bad policy or duration."""
EXIT_STORAGE = 3
"""The store could not be reached, or the engine failed."""
EXIT_INTERRUPTED = 130
"""Ctrl-C."""
EXIT_PIPE_CLOSED = 141
"""Whoever read the output stopped reading (``suo list | head``), as for SIGPIPE."""

EXIT_CODES = {
    EXIT_OK: "done",
    EXIT_NOT_FOUND: "not found, or nothing done (sop check: errors found)",
    EXIT_BAD_INPUT: "usage error or bad input",
    EXIT_STORAGE: "storage unavailable or failed",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_PIPE_CLOSED: "output pipe closed early (e.g. | head); nothing printed to stderr",
}
"""Every exit status of ``suo``, with what it means (also in ``suo --help``)."""

# Library hints name Python arguments; from the command line the flag is the fix.
_HINTS = (("URLPolicy(allow_private_hosts=True)", "--allow-private-hosts", "allow_private_hosts"),)


def default_store_url() -> str:
    """``SUO_STORE`` if set, else ``sqlite:///<user data dir>/suo.db``."""
    env = os.environ.get("SUO_STORE")
    if env:
        return env
    from platformdirs import user_data_dir

    path = Path(user_data_dir("suo", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'suo.db'}"


_STORE_HELP = (
    "store URL (memory://, sqlite:///file.db, postgresql+psycopg://..., redis://...); "
    "default: $SUO_STORE or a SQLite file in your data directory. "
    "May also be given before the subcommand"
)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """The ``--store URL`` option every subcommand that touches data takes.

    Its default is left unset (``argparse.SUPPRESS``), so a ``--store`` given
    before the subcommand is not overwritten; :func:`main` merges the two.
    """
    parser.add_argument("--store", default=argparse.SUPPRESS, help=_STORE_HELP)


def add_base_url_option(parser: argparse.ArgumentParser) -> None:
    """The ``--base-url URL`` option of commands that print short URLs or QR codes."""
    parser.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="public prefix of short URLs, e.g. https://s.example/ "
        "(default: $SUO_BASE_URL, else http://127.0.0.1:8080/)",
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` option of commands that read: one JSON document on stdout."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _epilog() -> str:
    codes = "\n".join(f"  {code:<4} {what}" for code, what in EXIT_CODES.items())
    return (
        "--store URL may come before or after the subcommand.\n"
        "Commands that read take --json (one JSON document on stdout).\n\n"
        f"exit status:\n{codes}\n\n"
        "Errors are one line on stderr, starting 'suo: error: '."
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``suo`` argument parser with every subcommand registered."""
    import importlib

    parser = argparse.ArgumentParser(
        prog="suo",
        description="Short links, anti-block pages, live codes and SOP calendars.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"suo {_version()}")
    parser.add_argument("--store", dest="global_store", default=None, help=_STORE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    from suo import __version__

    return __version__


def exit_code_for(exc: SuoError) -> int:
    """The exit status for an error: 1 not found, 3 storage, 2 anything else.

    Example:
        >>> from suo.errors import InvalidURL, NotFound, StorageUnavailable
        >>> [exit_code_for(e) for e in (NotFound("x"), InvalidURL("x"), StorageUnavailable("x"))]
        [1, 2, 3]
    """
    if isinstance(exc, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(exc, StorageError):
        return EXIT_STORAGE
    return EXIT_BAD_INPUT


def cli_message(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    """The error as one line, its hints naming the CLI flag where the command has one.

    Example:
        >>> import argparse
        >>> from suo.errors import InvalidURL
        >>> exc = InvalidURL("'10.0.0.1' is private. Use URLPolicy(allow_private_hosts=True)")
        >>> cli_message(exc, argparse.Namespace(allow_private_hosts=False))
        "'10.0.0.1' is private. Use --allow-private-hosts"
    """
    text = " ".join(str(exc).split())
    for python, flag, dest in _HINTS:
        if args is not None and hasattr(args, dest):
            text = text.replace(python, flag)
    return text


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``suo`` command; returns the exit status (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        args = parser.parse_args(argv)
        local = getattr(args, "store", None)
        if local and args.global_store and local != args.global_store:
            parser.error(
                f"--store given twice with different URLs ({args.global_store} and {local}); "
                "give one"
            )
        args.store = local or args.global_store
        result: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        print("suo: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SuoError as exc:
        print(f"suo: error: {cli_message(exc, args)}", file=sys.stderr)
        return exit_code_for(exc)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
