"""Every docstring example under ``src/suo`` runs, module by module.

The modules are found by walking the package on disk, so a new module is
tested without being listed here. A module is skipped only when importing it
needs an optional extra that is not installed; the skip says which extra.
The same examples run under ``python -m pytest --doctest-modules src/suo``
(pytest's default ``ELLIPSIS`` flag is used here too, so both agree).
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import suo
from suo.testing.helpers import EXTRA_FOR_MODULE

PACKAGE = Path(suo.__file__).resolve().parent

EXTRAS = EXTRA_FOR_MODULE

#: Modules whose examples are their documentation: each must have at least one.
MUST_HAVE_EXAMPLES = frozenset(
    {
        "suo.community",
        "suo.community.admission",
        "suo.community.content",
        "suo.community.matcher",
        "suo.community.model",
        "suo.community.moderation",
        "suo.community.referrals",
        "suo.community.rules",
        "suo.community.samples",
        "suo.community.welcome",
        "suo.web",
        "suo.web.core",
        "suo.web.proxies",
        "suo.web.wsgi",
        "suo.web.asgi",
        "suo.antiblock.lang",
        "suo.antiblock.pages",
        "suo.decision",
    }
)


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":  # running it would run the CLI
            continue
        names.append(".".join(parts))
    return names


MODULES = module_names()


def import_or_skip(name: str) -> object:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        top = (e.name or "").split(".")[0]
        if top in EXTRAS:
            pytest.skip(f"{name} needs the [{EXTRAS[top]}] extra ({top} is not installed)")
        raise


def test_the_walk_finds_every_area() -> None:
    assert set(MUST_HAVE_EXAMPLES) <= set(MODULES)
    for area in ("antiblock", "cli", "community", "shortener", "sop", "storage", "testing", "web"):
        assert any(m.startswith(f"suo.{area}.") for m in MODULES), area


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    module = import_or_skip(name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(module, name) if t.examples]
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    if name in MUST_HAVE_EXAMPLES:
        assert result.attempted > 0, f"{name} has no runnable example"
