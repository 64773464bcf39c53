"""Across processes: a link made in one resolves in another; caps hold under process races."""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from suo.storage import open_store
from suo.testing.backends import drop_store, store_url
from suo.testing.workers import resolve_many


def test_link_made_in_one_process_resolves_in_another(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    maker = textwrap.dedent(
        f"""
        import suo
        s = suo.Shortener("sqlite:///{db}")
        print(s.shorten("https://example.com/from-a", alias="xproc").code)
        """
    )
    out = subprocess.run([sys.executable, "-c", maker], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "xproc"
    reader = textwrap.dedent(
        f"""
        import json, suo
        s = suo.Shortener("sqlite:///{db}")
        d = s.resolve("xproc")
        print(json.dumps([d.kind.value, d.location, s.stats("xproc").clicks]))
        """
    )
    out = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["redirect", "https://example.com/from-a", 1]


@pytest.mark.parametrize(
    "kind",
    [
        "sqlite-file",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ],
)
def test_click_cap_holds_across_processes(kind: str, tmp_path: Path) -> None:
    import suo

    url, options = store_url(kind, directory=str(tmp_path))
    store = open_store(url, **options)
    try:
        suo.Shortener(store).shorten("https://example.com/", alias="pcap", max_clicks=7)
        ctx = mp.get_context("spawn")
        with ctx.Manager() as manager:
            start = manager.Event()
            with ctx.Pool(4) as pool:
                pending = [
                    pool.apply_async(resolve_many, (url, options, "pcap", 6, start))
                    for _ in range(4)
                ]
                start.set()
                kinds = Counter(k for p in pending for k in p.get(timeout=120))
        assert kinds == {"redirect": 7, "exhausted": 17}
        assert store.link_stats("pcap").clicks == 7
    finally:
        drop_store(kind, store)
