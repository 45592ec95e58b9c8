"""Web benchmark: 50 concurrent clients browse the demo's dashboard and statement (and pages, when the web pages
exist) over loopback, against a trivial static endpoint served by the same app in the same run.

uvicorn runs the real app (SQLite, the seeded demo) in a subprocess on 127.0.0.1; an asyncio httpx client pool
signs each client in, then sends a bounded number of requests. Prints requests/second and p50/p95 latency for
the demo endpoints and the baseline, and their ratio. Target on a 2-core machine: p95 < 250 ms.

    .venv/bin/python bench/web.py [--clients 50] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "northvale-demo-password"
MANAGER = "manager@northvale-fed.example"
BASELINE = "/api/auth/csrf"  # reads the session cookie, no database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    gainshare = Path(sys.executable).with_name("gainshare")
    subprocess.run(
        [str(gainshare), "demo", "run", "--folder", str(folder), "--no-serve"], check=True, stdout=subprocess.DEVNULL
    )
    env = os.environ | {"GAINSHARE_DATA_FOLDER": str(folder), "GAINSHARE_SECRET_KEY": "bench-" + "s" * 40}
    command = [str(gainshare), "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _wait_ready(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(200):
            try:
                if (await client.get(BASELINE)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the server did not start")


async def _signed_in(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    token = (await client.get("/api/auth/csrf")).json()["csrf_token"]
    answer = await client.post(
        "/api/auth/login", json={"email": MANAGER, "password": PASSWORD}, headers={"X-CSRF-Token": token}
    )
    answer.raise_for_status()
    return client


async def _paths(client: httpx.AsyncClient) -> list[str]:
    agreement = (await client.get("/api/agreements")).json()[0]["id"]
    settlement = (await client.get(f"/api/agreements/{agreement}/settlements")).json()[0]["id"]
    paths = [f"/api/agreements/{agreement}/dashboard", f"/api/agreements/{agreement}/settlements/{settlement}"]
    for page in (f"/agreements/{agreement}", "/"):
        if (await client.get(page)).status_code == 200 and page.startswith("/agreements"):
            paths.append(page)
    return paths


async def _run(clients: list[httpx.AsyncClient], paths: list[str], total: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker(client: httpx.AsyncClient) -> None:
        for number in counter:
            started = time.perf_counter()
            answer = await client.get(paths[number % len(paths)])
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{paths[number % len(paths)]} answered {answer.status_code}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    return latencies, time.perf_counter() - started


def _report(name: str, latencies: list[float], elapsed: float) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / elapsed
    print(
        f"{name:<10} {len(latencies):>6} requests  {rate:>8.0f} req/s  p50 {cuts[49] * 1000:7.1f} ms  "
        f"p95 {cuts[94] * 1000:7.1f} ms"
    )
    return rate, cuts[94]


async def main(client_count: int, total: int) -> None:
    with tempfile.TemporaryDirectory(prefix="gainshare-bench-") as folder:
        port = _free_port()
        server = _start_server(Path(folder), port)
        base = f"http://127.0.0.1:{port}"
        try:
            await _wait_ready(base)
            clients = [await _signed_in(base) for _ in range(client_count)]
            paths = await _paths(clients[0])
            print(f"{client_count} clients, {total} requests per run, demo paths: {', '.join(paths)}")
            baseline = _report("baseline", *await _run(clients, [BASELINE], total))
            demo = _report("demo", *await _run(clients, paths, total))
            print(
                f"ratio demo/baseline: throughput {demo[0] / baseline[0]:.2f}x, p95 {demo[1] / baseline[1]:.2f}x; "
                f"p95 target 250 ms: {'met' if demo[1] < 0.25 else 'NOT met'}"
            )
            await asyncio.gather(*(client.aclose() for client in clients))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.clients, arguments.requests))
