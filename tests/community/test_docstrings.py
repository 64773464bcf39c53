"""The docstring examples of suo.community run as tests (they are the docs' examples too)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "suo.community",
    "suo.community.admission",
    "suo.community.content",
    "suo.community.matcher",
    "suo.community.model",
    "suo.community.moderation",
    "suo.community.referrals",
    "suo.community.rules",
    "suo.community.samples",
    "suo.community.store",
    "suo.community.welcome",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no runnable example"
