"""Every module imports on its own, in a fresh interpreter.

The ast-based cycle test sees module-to-module imports; Python also runs each
parent package's ``__init__`` first, so an import that is fine in one order
can fail in another. This imports each module first thing in a new process.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import suo

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(suo.__path__, "suo.") if ".__main__" not in m.name
)

_SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for mod in [m for m in sys.modules if m == "suo" or m.startswith("suo.")]:
        del sys.modules[mod]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print("\\n".join(failed))
"""


def test_every_module_imports_first() -> None:
    assert len(MODULES) > 80
    # One interpreter, with suo's modules dropped between imports: each module
    # is imported as the first suo module, as a fresh process would.
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *MODULES],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    assert out.stdout.strip() == "", out.stdout


def test_a_new_user_s_first_lines_work() -> None:
    code = "import suo; s = suo.Shortener('memory://'); s.shorten('https://example.com/', alias='a'); print(s.resolve('a').status)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "302"
