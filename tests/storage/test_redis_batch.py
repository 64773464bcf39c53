"""Redis ``hit_many`` is one MULTI/EXEC: a batch cut off mid-way counts nothing.

A loopback proxy in front of the shared Redis passes the first script of a
batch on at once and holds the rest of that chunk back for a second, the way
a stalled network or server would. The client gives up (socket timeout) and
every visit of the batch is answered "unavailable"; none of them may count.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import suo
from suo.errors import StorageUnavailable
from suo.shortener.batching import HitCall
from suo.shortener.model import Link, Visit
from suo.testing.backends import require_service


class _StallingProxy:
    """Forwards to Redis; a chunk with several EVALSHAs is cut after the first one."""

    def __init__(self, target: tuple[str, int], hold: float) -> None:
        self.target, self.hold = target, hold
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stalled = threading.Event()
        self._socks: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._socks += [client, server]
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        try:
            while data := src.recv(65536):
                cut = data.find(b"EVALSHA", data.find(b"EVALSHA") + 1) if upstream else -1
                if cut > 0 and not self.stalled.is_set():
                    start = data.rfind(b"*", 0, cut)  # the second script's command starts here
                    dst.sendall(data[:start])
                    self.stalled.set()
                    time.sleep(self.hold)
                    data = data[start:]
                dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        for s in self._socks:
            s.close()


@pytest.fixture
def proxied() -> Iterator[tuple[object, object, _StallingProxy]]:
    pytest.importorskip("redis")
    url = require_service("redis")
    host, _, port = url.split("//", 1)[1].split("/", 1)[0].rpartition(":")
    proxy = _StallingProxy((host or "127.0.0.1", int(port or 6379)), hold=1.0)
    prefix = f"suo-t-{uuid.uuid4().hex[:10]}"
    through = suo.open_store(f"redis://127.0.0.1:{proxy.port}/0", prefix=prefix, socket_timeout=0.3)
    direct = suo.open_store(url, prefix=prefix)
    try:
        yield through, direct, proxy
    finally:
        direct.drop_all()  # type: ignore[attr-defined]
        through.close()  # type: ignore[attr-defined]
        direct.close()  # type: ignore[attr-defined]
        proxy.close()


def test_a_batch_cut_off_midway_counts_none_of_its_visits(proxied: tuple) -> None:
    through, direct, proxy = proxied
    now = datetime.now(UTC)
    direct.create_link(Link(code="cap", target="https://e.com/", created_at=now, max_clicks=100))
    t0 = time.monotonic()
    with pytest.raises(StorageUnavailable):
        through.hit_many([HitCall("cap", Visit(at=now), True, 100) for _ in range(3)])
    assert time.monotonic() - t0 < 5  # the socket timeout, not a hang
    assert proxy.stalled.is_set()
    time.sleep(1.5)  # the held-back commands (EXEC among them) reach Redis meanwhile
    stats = direct.link_stats("cap")
    # Told "unavailable", so nothing counts: not the first script, not the late rest.
    assert (stats.clicks, stats.visits) == (0, 0)
    # The same store works again once the stall is over.
    assert through.hit_many([HitCall("cap", Visit(at=now), True, 100)]) == [1]
