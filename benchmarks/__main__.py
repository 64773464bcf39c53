"""Run every benchmark (or the named ones): ``python -m benchmarks [name ...] [--quick]``.

Each ``benchmarks/bench_<name>.py`` has ``main(quick: bool) -> None`` and
prints suo beside its baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name[6:] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"which to run (default all): {', '.join(names)}")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller inputs")
    args = parser.parse_args()
    chosen = args.names or names
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(f"unknown benchmarks {sorted(unknown)}; have {names}")
    for name in chosen:
        print(f"\n# {name}")
        sys.stdout.flush()
        importlib.import_module(f"benchmarks.bench_{name}").main(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
