"""One JSON codec for every backend: compact, non-ASCII kept."""

from __future__ import annotations

from pathlib import Path

import suo.storage
from suo.storage._common import dumps, loads

STORAGE_SRC = Path(suo.storage.__file__).parent


def test_dumps_is_compact_and_keeps_non_ascii() -> None:
    assert dumps({"name": "微信", "n": [1, 2]}) == '{"name":"微信","n":[1,2]}'


def test_loads_reads_text_and_bytes_back() -> None:
    data = {"name": "微信", "nested": {"a": None, "b": 1.5}}
    assert loads(dumps(data)) == data
    assert loads(dumps(data).encode()) == data


def test_no_backend_module_uses_the_json_module_directly() -> None:
    offenders = [
        str(p.relative_to(STORAGE_SRC))
        for p in STORAGE_SRC.rglob("*.py")
        if p.name != "_common.py" and "import json" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
