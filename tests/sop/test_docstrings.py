"""The docstring examples of suo.sop (and the CLI's argument readers) run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "suo.sop.checks",
    "suo.sop.model",
    "suo.sop.plan",
    "suo.sop.rrule",
    "suo.sop.templates",
    "suo.sop.triggers",
    "suo.cli._args",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no runnable example"
