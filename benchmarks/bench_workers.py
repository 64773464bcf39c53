"""Several worker processes on one port: which ASGI server, and what suo costs under each.

For each server (uvicorn ``--workers``, gunicorn with uvicorn workers, granian)
and each store, two apps run under the *same* server command with the same
number of workers, taking turns under the same load in the same minutes:

* the floor: a fixed 302, no suo (``benchmarks.bench_serve:floor_app``);
* suo: ``suo.web:app_from_env`` (the documented factory, what ``suo serve
  --workers`` runs), configured by ``SUO_STORE``.

SQLite, PostgreSQL and Redis are shared by the workers (one file, one schema,
one key prefix, made and filled with 1000 links before the server starts).
A memory store cannot be shared: each worker gets its own copy of the same
1000 links (``memory_app`` below), so the memory rows measure per-process
work only (a click counted by one worker is not seen by the other).

The load is ``wrk -t1 -c32`` (see :mod:`benchmarks.bench_serve`): ``GET
/<one of 1000 codes>``, desktop User-Agent, every request a counted click.
The ratio is suo's requests/s over the floor's under the same server.

Run: ``python -m benchmarks workers [--quick] [--only KIND] [--server NAME]``.
Needs ``wrk`` and the servers (``pip install uvicorn gunicorn granian``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.bench_serve import N_LINKS, ROOT, _free_port, codes, drive

WORKERS = 2
BIN = Path(sys.executable).parent


def memory_app() -> Any:
    """Factory: a memory store of the benchmark's links, one per worker process."""
    from suo.web import create_app

    app = create_app("memory://")
    app.shortener.shorten_many([{"url": f"https://example.com/p/{c}", "alias": c} for c in codes()])
    return app


def server_command(server: str, target: str, factory: bool, port: int) -> list[str]:
    """The command line that runs ``target`` under ``server`` with WORKERS processes."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", *(["--factory"] if factory else []), target,
                *host, "--workers", str(WORKERS), "--no-access-log", "--no-server-header",
                "--log-level", "warning", "--lifespan", "on"]  # fmt: skip
    if server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "-k", "uvicorn.workers.UvicornWorker",
                "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                target + ("()" if factory else "")]  # fmt: skip
    if server == "granian":
        return [str(BIN / "granian"), "--interface", "asgi", *host, "--workers", str(WORKERS),
                "--no-ws", "--log-level", "warning", *(["--factory"] if factory else []),
                target]  # fmt: skip
    raise SystemExit(f"unknown server {server!r}")


def start(server: str, target: str, factory: bool, env: dict[str, str]) -> tuple[Any, int]:
    port = _free_port()
    proc = subprocess.Popen(
        server_command(server, target, factory, port), cwd=ROOT, env=env, start_new_session=True
    )
    deadline = time.monotonic() + 60
    import http.client

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{server} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/b0000")
            if conn.getresponse().status in (302, 200):
                conn.close()
                time.sleep(1.0)  # let the other workers finish starting
                return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{server} did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (the master and its workers), then wait."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def prepare(kind: str, tmp: str) -> tuple[str, Any]:
    """A shared store URL (with its isolation in the query) filled with the links."""
    from suo.storage import open_store

    token = uuid.uuid4().hex[:8]
    if kind == "sqlite":
        url = f"sqlite:///{tmp}/bench-{token}.db"
    elif kind == "postgres":
        url = f"{os.environ['SUO_TEST_POSTGRES_URL']}?schema=suo_bench_{token}"
    elif kind == "redis":
        url = f"{os.environ['SUO_TEST_REDIS_URL']}?prefix=suo-bench-{token}"
    else:
        raise SystemExit(f"unknown store {kind!r}")
    store = open_store(url)
    from suo.shortener import Shortener

    Shortener(store).shorten_many(
        [{"url": f"https://example.com/p/{c}", "alias": c} for c in codes()]
    )
    return url, store


def cleanup(kind: str, store: Any) -> None:
    if kind == "postgres":
        store.drop_schema()
    elif kind == "redis":
        store.drop_all()
    store.close()


def main(quick: bool, only: tuple[str, ...] = (), servers: tuple[str, ...] = ()) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("this benchmark needs wrk (apt-get install wrk)")
    duration, reps = (3.0, 1) if quick else (10.0, 3)
    kinds = [k for k in ("memory", "sqlite", "postgres", "redis") if not only or k in only]
    names = [s for s in ("uvicorn", "gunicorn", "granian") if not servers or s in servers]
    base_env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}")
    rows: list[tuple[str, str, dict[str, Any], dict[str, Any], float, list[float]]] = []
    with tempfile.TemporaryDirectory(prefix="suo-bench-") as tmp:
        for kind in kinds:
            url, store = ("", None) if kind == "memory" else prepare(kind, tmp)
            try:
                for name in names:
                    env = dict(base_env, SUO_STORE=url or "memory://", SUO_WORKERS=str(WORKERS))
                    target = (
                        "benchmarks.bench_workers:memory_app"
                        if kind == "memory"
                        else "suo.web:app_from_env"
                    )
                    if kind == "memory":
                        env["SUO_WORKERS"] = "1"
                    floor, fport = start(name, "benchmarks.bench_serve:floor_app", False, env)
                    try:
                        suo_proc, sport = start(name, target, True, env)
                        try:
                            drive(fport, 2)
                            drive(sport, 2)
                            f_runs: list[dict[str, Any]] = []
                            s_runs: list[dict[str, Any]] = []
                            for rep in range(reps):
                                order = [(fport, f_runs), (sport, s_runs)]
                                for port, runs in order[:: -1 if rep % 2 else 1]:
                                    runs.append(drive(port, duration))
                            # Each round pairs a floor run with a suo run minutes apart
                            # at most; the median of the paired ratios resists the
                            # load of a shared machine better than best-of-n.
                            ratios = sorted(
                                s["rps"] / f["rps"] for s, f in zip(s_runs, f_runs, strict=True)
                            )
                            med_s, med_f = _median(s_runs), _median(f_runs)
                            ratio = ratios[len(ratios) // 2]
                            rows.append((kind, name, med_s, med_f, ratio, ratios))
                            print(
                                f"{kind:<9} {name:<9} suo {med_s['rps']:>7.0f} req/s "
                                f"p99 {med_s['p99'] * 1e3:6.2f} ms err {med_s['errors']}  "
                                f"floor {med_f['rps']:>7.0f} req/s "
                                f"p99 {med_f['p99'] * 1e3:6.2f} ms  ratio {ratio:.2f}x "
                                f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})",
                                flush=True,
                            )
                        finally:
                            stop(suo_proc)
                    finally:
                        stop(floor)
            finally:
                if store is not None:
                    cleanup(kind, store)
    print(
        f"\nwrk -t1 -c32, {reps} rounds x {duration:.0f} s (median), {WORKERS} workers, "
        f"GET /<one of {N_LINKS} codes> (each a counted click), floor and suo alternate; "
        "ratio = median of the per-round suo/floor req/s"
    )
    print(f"{'store':<9} {'server':<9} {'suo req/s':>9} {'p99':>9} {'floor req/s':>11} "
          f"{'floor p99':>9} {'ratio':>6}  rounds")  # fmt: skip
    for kind, name, s, f, ratio, ratios in rows:
        print(
            f"{kind:<9} {name:<9} {s['rps']:>9.0f} {s['p99'] * 1e3:>7.2f}ms {f['rps']:>11.0f} "
            f"{f['p99'] * 1e3:>7.2f}ms {ratio:>5.2f}x  {' '.join(f'{r:.2f}' for r in ratios)}"
        )


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median requests/s."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def _cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_workers")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", action="append", default=[], help="store kinds (repeat)")
    parser.add_argument("--server", action="append", default=[], help="servers (repeat)")
    args = parser.parse_args()
    main(args.quick, tuple(args.only), tuple(args.server))


if __name__ == "__main__":
    _cli()
