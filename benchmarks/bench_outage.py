"""Store outages: a resolve answered from memory while Redis is frozen, and the deadline's cost.

Starts a private ``redis-server`` on a free loopback port (skipped with a note
when it is not installed), opens it with ``socket_timeout=0.25`` and:

* resolves a cached, uncapped link with the server up (the baseline) and
  with the server frozen by SIGSTOP after the outage was noticed (suo answers
  from memory and buffers the visit; ``outage_retry_every`` is long so no
  probe waits for the timeout during the measurement);
* times ``store.hit`` with its default deadline (the script reads the
  server's ``TIME`` first) against ``deadline=math.inf`` (no check), alternating.
"""

from __future__ import annotations

import math
import shutil
import signal
import socket
import subprocess
import time
from datetime import UTC, datetime

from benchmarks._util import compare, measure, report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(quick: bool = False) -> None:
    exe = shutil.which("redis-server")
    if exe is None:
        print("redis-server is not installed: skipped (apt-get install redis-server)")
        return
    import suo
    from suo.shortener.model import Visit

    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        store = suo.open_store(
            f"redis://127.0.0.1:{port}/0", socket_timeout=0.25, connect_timeout=0.25
        )
        number = 500 if quick else 3000
        s = suo.Shortener(store, cache_ttl=600, outage_retry_every=3600, outage_buffer=10**7)
        s.shorten("https://example.com/", alias="a")
        visit = Visit(datetime.now(UTC))

        def with_deadline() -> None:
            store.hit("a", visit, count=True, cap=None)

        def without_deadline() -> None:
            store.hit("a", visit, count=True, cap=None, deadline=math.inf)

        t_dl, t_nodl = compare(with_deadline, without_deadline, number=number, rounds=5)

        def up() -> None:
            s.resolve("a", user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")

        t_up = measure(up, number=number)
        proc.send_signal(signal.SIGSTOP)
        try:
            up()  # notices the outage (waits one socket timeout)
            t_down = measure(up, number=number)
            status = s.outage.status()
        finally:
            proc.send_signal(signal.SIGCONT)
        report(
            "Redis outage (private redis-server, loopback)",
            [
                ("resolve, Redis frozen (memory)", t_down, "resolve, Redis up", t_up),
                ("hit with deadline (TIME)", t_dl, "hit, deadline=inf", t_nodl),
            ],
        )
        print(f"buffered while frozen: {status.buffered:,}, dropped: {status.dropped}")
        time.sleep(0.3)
        t0 = time.perf_counter()
        s.outage.recovered()
        written = s.outage.flush()
        took = time.perf_counter() - t0
        print(f"flushed {written:,} buffered visits in {took:.2f} s after SIGCONT")
        store.close()
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
