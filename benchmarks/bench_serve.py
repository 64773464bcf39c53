"""Load test of the link server: requests/s and p99 latency per store, beside the framework floor.

Each case starts a server process (uvicorn running :class:`suo.web.ASGIApp`,
configured as ``suo serve`` configures it, access log off) and drives it from
a second process on loopback: ``wrk`` when it is installed (``apt-get install
wrk``), else a small asyncio HTTP/1.1 keep-alive client in this module. Every
request is ``GET /<code>`` for a random one of 1000 links with a desktop
User-Agent, so each one is a real counted click: a cache lookup, an atomic
counter increment and a visit record in the store.

The baseline is the *framework floor*: the same uvicorn, same settings,
answering every request with a fixed 302 and no suo at all. The ratio
suo/floor is the price of suo's work (detection, policy, the store round trip).

For the network stores the ASGI adapter is measured three ways: ``aresolve``
(``native=True``: ``await Shortener.aresolve`` on the event loop), ``pool``
(sync resolves in the adapter's bounded thread pool, the default) and
``inline`` (sync resolves on the event loop).

The "+ --api" rows run the same server with the management API mounted under
``/api/v1`` (what ``suo serve --api`` does): the redirects still go to the
raw adapter, so their throughput should not move; the load sends no API
requests, it measures what the mount costs every click (one prefix test).

Run: ``python -m benchmarks serve [--quick]``. PostgreSQL and Redis come from
``SUO_TEST_POSTGRES_URL`` / ``SUO_TEST_REDIS_URL`` (skipped when unset or down).
Bounded: ``--quick`` runs 3 s per case, the full run 10 s, 32 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks._util import report

N_LINKS = 1000
CONNECTIONS = 32
UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
ROOT = Path(__file__).resolve().parents[1]


def codes() -> list[str]:
    return [f"b{i:04d}" for i in range(N_LINKS)]


# -- the server side (runs in its own process) ---------------------------------


async def floor_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The framework floor: a fixed redirect, no suo."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [
                (b"location", b"https://example.com/target"),
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _open(kind: str, tmp: str) -> Any:
    from suo.storage import open_store

    token = uuid.uuid4().hex[:8]
    if kind == "memory":
        return open_store("memory://")
    if kind == "sqlite":
        return open_store(f"sqlite:///{tmp}/bench.db")
    if kind == "postgres":
        return open_store(os.environ["SUO_TEST_POSTGRES_URL"], schema=f"suo_bench_{token}")
    if kind == "redis":
        return open_store(os.environ["SUO_TEST_REDIS_URL"], prefix=f"suo-bench-{token}")
    raise SystemExit(f"unknown store kind {kind!r}")


def _drop(store: Any, kind: str) -> None:
    if kind == "postgres":
        store.drop_schema()
    elif kind == "redis":
        store.drop_all()
    store.close()


def serve(
    kind: str, port: int, offload: str, threads: int | None = None, api: bool = False
) -> None:
    """Run one benchmark server until SIGTERM (then drop its data)."""
    import uvicorn

    from suo.shortener import Shortener
    from suo.web import ASGIApp

    with tempfile.TemporaryDirectory(prefix="suo-bench-") as tmp:
        store = None
        if kind == "floor":
            app: Any = floor_app
        else:
            store = _open(kind, tmp)
            shortener = Shortener(store)
            shortener.shorten_many(
                [{"url": f"https://example.com/p/{c}", "alias": c} for c in codes()]
            )
            mounted: dict[str, Any] = {}
            if api:
                from suo.api.app import DEFAULT_RATE_LIMIT, create_app

                mounted["api"] = create_app(shortener, rate_limit=DEFAULT_RATE_LIMIT)
            app = ASGIApp(
                shortener,
                offload={"auto": None, "on": True, "off": False, "native": None}[offload],
                native=offload == "native",
                **({"max_threads": threads} if threads else {}),
                **mounted,
            )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            proxy_headers=False,
            server_header=False,
            access_log=False,
            log_level="warning",
            lifespan="on",
        )
        server = uvicorn.Server(config)

        def ignore(sig: int, frame: FrameType | None) -> None:
            pass  # uvicorn re-raises the signal it stopped for; we still clean up

        signal.signal(signal.SIGTERM, ignore)
        try:
            server.run()
        finally:
            if store is not None:
                _drop(store, kind)


# -- the load side ----------------------------------------------------------------


async def _load(port: int, duration: float, connections: int) -> dict[str, Any]:
    """A keep-alive HTTP/1.1 client: ``connections`` loops sending GETs for ``duration``."""
    import random

    paths = [f"/{c}" for c in codes()]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                path = random.choice(paths)
                req = (
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {UA}\r\n\r\n"
                ).encode()
                t0 = time.perf_counter()
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                m = re.search(rb"content-length:\s*(\d+)", head, re.I)
                if m and int(m.group(1)):
                    await reader.readexactly(int(m.group(1)))
                latencies.append(time.perf_counter() - t0)
                if not head.startswith(b"HTTP/1.1 3"):
                    errors += 1
        finally:
            writer.close()

    t_start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - t_start
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99)],
        "errors": errors,
        "client": "python-asyncio",
    }


_WRK_SCRIPT = """
local codes = {}
for i = 0, %d do codes[#codes + 1] = string.format("/b%%04d", i) end
wrk.headers["User-Agent"] = "%s"
request = function()
  return wrk.format("GET", codes[math.random(#codes)])
end
"""


def _wrk_time(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(text)
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(2)]
    return float(m.group(1)) * scale


def _run_wrk(port: int, duration: float, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_WRK_SCRIPT % (N_LINKS - 1, UA))
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{int(duration)}s", "--latency", "-s", script,
             f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True, timeout=duration + 60, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script)
    pct = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _wrk_time(pct["50"]),
        "p99": _wrk_time(pct["99"]),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errs.groups())) if errs else 0),
        "client": "wrk",
    }


# -- orchestration ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"benchmark server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("benchmark server did not start")


def start_server(
    kind: str, offload: str, threads: int | None = None, api: bool = False
) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_serve", "--serve", kind, "--port", str(port),
         "--offload", offload, *(["--threads", str(threads)] if threads else []),
         *(["--api"] if api else [])],
        cwd=ROOT, env=_env(),
    )  # fmt: skip
    try:
        _wait_ready(port, server)
    except BaseException:
        stop_server(server)
        raise
    return server, port


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")


def drive(port: int, duration: float) -> dict[str, Any]:
    """Load the server on ``port`` for ``duration`` seconds from another process."""
    if shutil.which("wrk"):
        return _run_wrk(port, duration, CONNECTIONS)
    load = [sys.executable, "-m", "benchmarks.bench_serve", "--load", str(port),
            "--connections", str(CONNECTIONS), "--duration"]  # fmt: skip
    out = subprocess.run(
        [*load, str(duration)], cwd=ROOT, env=_env(), capture_output=True, text=True, check=True
    ).stdout
    return dict(json.loads(out))


def _available(kind: str) -> bool:
    env = {"postgres": "SUO_TEST_POSTGRES_URL", "redis": "SUO_TEST_REDIS_URL"}.get(kind)
    if env is None:
        return True
    if not os.environ.get(env):
        print(f"({kind}: skipped, {env} is not set)")
        return False
    try:
        store = _open(kind, tempfile.gettempdir())
        _drop(store, kind)
    except Exception as exc:  # any failure means "not here"
        print(f"({kind}: skipped, cannot open the store: {exc})")
        return False
    return True


def _api_available(kind: str) -> bool:
    """Whether ``--api`` can run on ``kind``: the api extra is installed, the store keeps keys."""
    try:
        import fastapi  # noqa: F401
        import limits  # noqa: F401

        from suo.api import KeyStore
    except ImportError:
        print("(+ --api: skipped, the api extra is not installed)")
        return False
    with tempfile.TemporaryDirectory(prefix="suo-bench-") as tmp:
        store = _open(kind, tmp)
        keeps_keys = isinstance(store, KeyStore)
        _drop(store, kind)
    if not keeps_keys:
        print(f"({kind} + --api: skipped, this store keeps no API keys yet)")
    return keeps_keys


def dispatch_cost(quick: bool) -> None:
    """The mount's cost per click without a network: the adapter called in process.

    The same ``GET /<code>`` scopes through ``ASGIApp`` with and without the API
    mounted, memory store, taking turns; best of the rounds. On shared cores the
    load test above moves by tens of percent from run to run; this does not.
    """
    if not _api_available("memory"):
        return
    from suo.api.app import create_app
    from suo.shortener import Shortener
    from suo.web import ASGIApp

    shortener = Shortener("memory://")
    shortener.shorten_many([{"url": f"https://example.com/p/{c}", "alias": c} for c in codes()])
    apps = {"plain": ASGIApp(shortener), "api": ASGIApp(shortener, api=create_app(shortener))}
    scopes = [
        {"type": "http", "method": "GET", "path": f"/{c}", "root_path": "", "query_string": b"",
         "headers": [(b"user-agent", UA.encode())], "client": ("127.0.0.1", 5000)}
        for c in codes()
    ]  # fmt: skip
    n, rounds = (5_000, 3) if quick else (20_000, 5)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    async def run(app: Any) -> float:
        t = time.perf_counter()
        for i in range(n):
            await app(scopes[i % len(scopes)], receive, send)
        return (time.perf_counter() - t) / n

    best = {name: asyncio.run(run(app)) for name, app in apps.items()}
    for _ in range(rounds - 1):
        for name, app in apps.items():
            best[name] = min(best[name], asyncio.run(run(app)))
    report("serve: one click through the adapter, in process (memory store)",
           [("ASGIApp(api=create_app(s))", best["api"], "ASGIApp(s)", best["plain"])],
           target="1.0x: the API mount costs clicks nothing")  # fmt: skip
    shortener.store.close()


def main(quick: bool, only: tuple[str, ...] = ()) -> None:
    duration, reps = (2.0, 2) if quick else (5.0, 3)
    if not only or "memory" in only:
        dispatch_cost(quick)
    # (store, offload, threads, api, label): the default of each store, and the alternatives;
    # "+ --api": the same server with the management API mounted (suo serve --api).
    cases = [
        ("memory", "auto", None, False, "suo memory (inline)"),
        ("memory", "auto", None, True, "  + --api"),
        ("sqlite", "on", None, False, "suo sqlite (pool of 1)"),
        ("sqlite", "on", None, True, "  + --api"),
        ("sqlite", "on", 16, False, "suo sqlite (pool of 16)"),
        ("sqlite", "off", None, False, "suo sqlite (inline)"),
        ("postgres", "native", None, False, "suo postgres (aresolve)"),
        ("postgres", "on", None, False, "suo postgres (pool)"),
        ("postgres", "off", None, False, "suo postgres (inline)"),
        ("redis", "native", None, False, "suo redis (aresolve)"),
        ("redis", "on", None, False, "suo redis (pool)"),
        ("redis", "off", None, False, "suo redis (inline)"),
    ]
    if only:
        cases = [c for c in cases if c[0] in only]
    floor_label = "uvicorn fixed 302 (floor)"
    floor_server, floor_port = start_server("floor", "auto")
    drive(floor_port, 2)  # warm-up
    # (label, best run, best floor run, baseline label, best baseline run)
    results: list[tuple[str, dict[str, Any], dict[str, Any], str, dict[str, Any]]] = []
    try:
        for kind, offload, threads, api, label in cases:
            if not _available(kind) or (api and not _api_available(kind)):
                continue
            servers = [start_server(kind, offload, threads, api)]
            if api:  # its twin without the API, measured in the same minutes
                servers.append(start_server(kind, offload, threads, False))
            try:
                # The floor, the case (and for "+ --api" the same server without
                # the API) take turns, ``reps`` times each, and the best run of
                # each counts: all see the same machine, which on shared
                # hardware changes by the second.
                for _, port in servers:
                    drive(port, 2)  # warm-up: connections, caches, lazy imports
                floors: list[dict[str, Any]] = []
                runs: list[list[dict[str, Any]]] = [[] for _ in servers]
                for rep in range(reps):
                    floors.append(drive(floor_port, duration))
                    turns = list(zip(servers, runs, strict=True))
                    for (_, port), mine in turns[:: -1 if rep % 2 else 1]:  # alternate the order
                        mine.append(drive(port, duration))
                best = [max(r, key=lambda r: r["rps"]) for r in runs]
                floor = max(floors, key=lambda r: r["rps"])
                if api:
                    results.append((label, best[0], floor, "same, without --api", best[1]))
                else:
                    results.append((label, best[0], floor, floor_label, floor))
            finally:
                for server, _ in servers:
                    stop_server(server)
    finally:
        stop_server(floor_server)
    client = results[0][1]["client"] if results else "?"
    print(
        f"load: {client}, {CONNECTIONS} keep-alive connections, best of {reps} runs of "
        f"{duration:.0f} s, GET /<one of {N_LINKS} codes>, desktop UA (every request a "
        "counted click); floor and case runs alternate; '+ --api' rows are the server "
        "above with the management API mounted, against itself without it"
    )
    rows = [
        (label, 1 / r["rps"], base_label, 1 / b["rps"]) for label, r, _, base_label, b in results
    ]
    report("serve: time per request (1 / throughput)", rows,
           target="as close to the floor as the store allows; + --api: 1.0x")  # fmt: skip
    print(f"\n{'server':<22} {'req/s':>8} {'p50':>9} {'p99':>9} {'err':>4}   "
          f"{'floor req/s':>11} {'floor p99':>9}")  # fmt: skip
    for label, r, f, _, _ in results:
        print(
            f"{label:<22} {r['rps']:>8.0f} {r['p50'] * 1e3:>7.2f}ms {r['p99'] * 1e3:>7.2f}ms "
            f"{r['errors']:>4}   {f['rps']:>11.0f} {f['p99'] * 1e3:>7.2f}ms"
        )


def _cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_serve")
    parser.add_argument("--serve", metavar="KIND")
    parser.add_argument("--load", metavar="PORT", type=int)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--offload", default="auto", choices=["auto", "on", "off", "native"])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--api", action="store_true", help="(server) mount the management API")
    parser.add_argument(
        "--only", action="append", default=[], help="store kinds to run (repeat; default all)"
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.offload, args.threads, args.api)
    elif args.load:
        print(json.dumps(asyncio.run(_load(args.load, args.duration, args.connections))))
    else:
        main(args.quick, tuple(args.only))


if __name__ == "__main__":
    _cli()
