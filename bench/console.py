"""Web console figures against the whole suite as `make run` starts it (its own ports, Redis and data folder).

- event_to_screen_p95_s: from an incident report's answer (its event is written) to its row on an open board page;
- first_render_s: median time from navigation to the first rendered board (localhost, logged in);
- sse_clients_held: concurrent SSE clients of the console server that each received every event.
Writes bench/results/console.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

from services.common.auth import Role, mint_token
from services.common.local import free_port, start_private_redis
from services.common.settings import DEVELOPMENT_JWT_SECRET

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "console.json"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TOKEN = mint_token(DEVELOPMENT_JWT_SECRET, subject="bench-operator", role=Role.OPERATOR)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def incident(title: str) -> dict[str, object]:
    """A chlorine leak in Xiagang, proto3 JSON."""
    return {
        "title": title,
        "parkId": "xiagang",
        "location": {"point": {"latitude": 31.9352, "longitude": 120.2268}, "description": "bench"},
        "kind": "INCIDENT_KIND_TOXIC_GAS_LEAK",
        "severity": "SEVERITY_III",
        "reporter": "bench",
    }


async def report(client: httpx.AsyncClient, title: str) -> str:
    """Report through the console's API; the incident's name."""
    response = await client.post("/api/v1/ReportIncident", json={"incident": incident(title)}, headers={**AUTH, "Idempotency-Key": uuid.uuid4().hex})
    response.raise_for_status()
    return str(response.json()["incident"]["name"])


async def browser_figures(base: str, samples: int, loads: int) -> tuple[float, float]:
    """(event-to-screen p95, first-render median) measured in headless Chromium."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"])
        context = await browser.new_context(viewport={"width": 1920, "height": 1080})
        session = json.dumps({"token": TOKEN, "subject": "bench-operator", "role": "operator", "parkId": ""})
        await context.add_init_script(f"localStorage.setItem('console.session', {json.dumps(session)})")
        page = await context.new_page()
        renders = []
        for _ in range(loads):
            await page.goto("about:blank")
            started = time.perf_counter()
            await page.goto(f"{base}/#/board")
            await page.wait_for_selector("[data-testid=board], [data-testid=board-empty]")
            renders.append(time.perf_counter() - started)
        await page.wait_for_selector("[data-testid=stream-state][data-state=live]")
        delays = []
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for n in range(samples):
                title = f"bench leak {n} {uuid.uuid4().hex[:6]}"
                name = await report(client, title)
                reported = time.perf_counter()
                await page.wait_for_function(
                    f"[...document.querySelectorAll('[data-testid=board-title]')].some(a => a.textContent === {json.dumps(title)})", timeout=30000
                )
                delays.append(time.perf_counter() - reported)
                del name
        await browser.close()
    delays.sort()
    return delays[max(0, int(len(delays) * 0.95) - 1)], statistics.median(renders)


async def sse_clients(base: str, clients: int, events: int) -> int:
    """Open many SSE clients, report incidents, and count the clients that saw every incident.created."""
    limits = httpx.Limits(max_connections=clients + 10)
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(120), limits=limits) as client:
        ready = asyncio.Event()
        connected = 0
        expected: set[str] = set()
        done = asyncio.Event()
        problems: list[str] = []

        async def listen(n: int) -> bool:
            nonlocal connected
            seen: set[str] = set()
            # One operator per browser: the gateway limits calls per person, not per console.
            headers = {"Authorization": f"Bearer {mint_token(DEVELOPMENT_JWT_SECRET, subject=f'bench-operator-{n}', role=Role.OPERATOR)}"}
            async with client.stream("GET", "/api/v1/events", headers=headers) as response:
                if response.status_code != 200:
                    print(f"client {n}: HTTP {response.status_code} {(await response.aread())[:200]!r}")
                    return False
                connected += 1
                if connected == clients:
                    ready.set()
                async for line in response.aiter_lines():
                    if line.startswith('data: {"error"'):
                        problems.append(line[:300])
                    if line.startswith("data: ") and '"incident.created"' in line:
                        seen.add(json.loads(line[6:])["subject"])
                        if done.is_set() and expected <= seen:
                            return True
                    if done.is_set() and expected <= seen:
                        return True
            return False

        async def produce() -> None:
            await asyncio.wait_for(ready.wait(), 120)
            for n in range(events):
                expected.add(await report(client, f"sse bench {n}"))
            done.set()

        tasks = [asyncio.create_task(listen(n)) for n in range(clients)]
        producer = asyncio.create_task(produce())
        finished, pending = await asyncio.wait(tasks, timeout=180)
        for task in pending:
            task.cancel()
        await producer
        failed = [task.exception() for task in finished if not task.cancelled() and task.exception() is not None]
        if problems or failed or pending:
            print(f"SSE clients: {len(pending)} still waiting, {len(failed)} failed {failed[:3]!r}, error frames {problems[:3]!r}")
        return sum(1 for task in finished if not task.cancelled() and task.exception() is None and task.result())


def start_suite(data_dir: Path, redis_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The launcher on free ports with its own Redis and data folder; the console's base URL."""
    ports = {f"{name.upper()}_PORT": str(free_port()) for name in ("gateway", "incident", "resources", "casebase", "dispatch", "console")}
    env = {**os.environ, **ports, "REDIS_URL": redis_url, "DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "services.launcher", "--data-dir", str(data_dir), "--startup-timeout-s", "300"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{ports['CONSOLE_PORT']}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((process.stdout.read() if process.stdout else b"").decode())
        try:
            if httpx.get(f"{base}/api/v1/config", timeout=1).status_code == 200 and httpx.post(
                f"{base}/api/v1/GetSituation", json={}, headers=AUTH, timeout=10
            ).json().get("availableUnits"):
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError("the suite did not come up")


def main() -> None:
    """Measure and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--events", type=int, default=3)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-console-"))
    redis_proc, redis_url = start_private_redis(workdir / "redis")
    suite, base = start_suite(workdir / "data", redis_url)
    try:
        p95, first_render = asyncio.run(browser_figures(base, args.samples, args.loads))
        held = asyncio.run(sse_clients(base, args.clients, args.events))
    finally:
        suite.send_signal(signal.SIGINT)
        suite.wait(timeout=60)
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
    result = {
        "event_to_screen_p95_s": round(p95, 3),
        "first_render_s": round(first_render, 3),
        "sse_clients_held": held,
        "sse_clients_opened": args.clients,
        "events_per_client": args.events,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
