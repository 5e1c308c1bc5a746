"""Scale benchmark, round-trip section: report -> propose -> commit, then cancel and bring the units home, at 1-32 operators.

The layout is the replica one (`make run-replicas`): every service on a PostgreSQL database of its own, two gateway
processes and two dispatch processes (the gateways reach dispatch round-robin), operators spread over both gateways;
or, with --layout single, one process per service on SQLite files as `make run` starts them. Each concurrency level
runs for a fixed time after a warm-up; a round trip is timed from the report to the commit's answer, and the rate counts
whole cycles (with the untimed cancel and return that recycle the units), so it is what the suite sustains.

Run from the project root: .venv/bin/python -m bench.scale_roundtrips [--seconds 20] [--layout replicas]
Writes the `round_trips` section of bench/results/scale.json (other sections are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg

from bench.gateway import SEED, STOP_GRACE_S, Tally, bench_environment, bench_folder, bring_home, incident_for, one_round, operator_stubs, percentile
from bench.scale import scrape
from services.common.auth import Role, mint_token
from services.common.client import bearer
from services.common.local import free_port
from services.common.settings import DEVELOPMENT_JWT_SECRET, load_settings
from services.launcher import Child, Replica, start_child, stop_children, wait_all
from services.resources.seed import seed_demo

RESULTS = Path(__file__).parent / "results" / "scale.json"
SERVICES = ("incident", "resources", "casebase", "dispatch", "gateway")
CONCURRENCY = (1, 2, 4, 8, 16, 32)
METRICS_PORTS: dict[str, int] = {}
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def calls_served(children: list[Child]) -> Counter[str]:
    """gRPC calls each service has served so far, by method (every replica summed), from their Prometheus endpoints."""
    served: Counter[str] = Counter()
    for child in children:
        for (name, labels), value in scrape(METRICS_PORTS[child.name]).items():
            if name == "rpc_server_call_duration_seconds_count":
                served[f"{child.service}.{dict(labels).get('rpc_method', '?')}"] += int(value)
    return served


def cpu_seconds(children: list[Child]) -> dict[str, float]:
    """CPU seconds (user + system) each service process has used so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for child in children:
        fields = Path(f"/proc/{child.process.pid}/stat").read_text().rpartition(")")[2].split()
        used[child.name] = (int(fields[11]) + int(fields[12])) / tick
    return used


@contextlib.contextmanager
def postgres_databases(run_id: str) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database per service for this run, dropped afterwards."""
    names = {service: f"bench_{run_id}_{service}" for service in SERVICES}
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {service: f"{base}/{name}" for service, name in names.items()}
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def suite_running(
    layout: dict[str, int], databases: dict[str, str], folder: Path, redis_url: str
) -> AsyncIterator[tuple[list[Child], dict[str, list[str]]]]:
    """Every service as processes in the layout (replicas on ports of their own); yields settings and each service's addresses."""
    replicas = {name: [Replica(name, k, layout.get(name, 1), free_port(), free_port()) for k in range(layout.get(name, 1))] for name in SERVICES}
    addresses = {name: [f"127.0.0.1:{r.port}" for r in rs] for name, rs in replicas.items()}
    settings = load_settings(host="127.0.0.1", data_dir=folder, redis_url=redis_url, **{f"{n}_port": rs[0].port for n, rs in replicas.items()})
    logs = folder / "logs"
    logs.mkdir()
    base_env = bench_environment(
        folder,
        redis_url,
        **{f"{n.upper()}_PORT": str(rs[0].port) for n, rs in replicas.items()},
        **{f"{n.upper()}_ADDR": ",".join(a) for n, a in addresses.items() if n != "gateway"},
    )
    children: list[Child] = []
    try:
        for name in SERVICES:
            env = {**base_env, **({"DATABASE_URL": databases[name]} if name in databases else {})}
            for replica in replicas[name]:
                children.append(start_child(name, settings, {**env, "METRICS_PORT": str(replica.metrics_port)}, logs, replica))
                METRICS_PORTS[children[-1].name] = replica.metrics_port
        if not all((await wait_all(children, 120.0)).values()):
            raise SystemExit("a service did not become healthy; see its log")
        print(await seed_demo(settings))
        yield children, addresses
    finally:
        stop_children(children, STOP_GRACE_S)


async def operator(index: int, gateway: str, backends: dict[str, list[str]], deadline: float, tally: Tally, time_limit_s: float) -> int:
    """Whole cycles (report -> propose -> commit timed; cancel and return untimed) until the deadline; how many ended."""
    rng = random.Random(SEED + 1000 + index)
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject=f"bench-roundtrip-operator-{index}", role=Role.OPERATOR))
    cycles = 0
    async with operator_stubs(gateway, backends["resources"][0], backends["incident"][0]) as stubs:
        while time.perf_counter() < deadline:
            committed = await one_round(stubs.gateway, incident_for(rng), time_limit_s, metadata, tally)
            if committed is not None:
                await bring_home(stubs.resources, stubs.incidents, committed, metadata)
                cycles += 1
    return cycles


async def level(concurrency: int, addresses: dict[str, list[str]], children: list[Child], args: argparse.Namespace) -> dict[str, Any]:
    """One concurrency level: operators spread over the gateways for --seconds."""
    tally = Tally()
    load_before = load()
    cpu_before, calls_before = cpu_seconds(children), calls_served(children)
    started = time.perf_counter()
    deadline = started + args.seconds
    gateways = addresses["gateway"]
    cycles = await asyncio.gather(
        *(operator(concurrency * 100 + i, gateways[i % len(gateways)], addresses, deadline, tally, args.time_limit) for i in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    cpu_after, calls = cpu_seconds(children), calls_served(children) - calls_before
    latencies = tally.latencies
    figures = {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "round_trips": len(latencies),
        "round_trips_per_s": round(sum(cycles) / elapsed, 2),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "failed": len(tally.failures),
        "failures": sorted(set(f[:160] for f in tally.failures))[:5],
        "replans": sum(tally.replans),
        "phases_p50_s": {phase: round(statistics.median(values), 3) for phase, values in tally.phases.items() if values},
        "calls_per_round_trip": {method: round(n / max(len(latencies), 1), 1) for method, n in calls.most_common(15)},
        "cpu_s_per_round_trip": {name: round((cpu_after[name] - cpu_before[name]) / max(len(latencies), 1), 3) for name in cpu_after},
        "load_average_before": load_before,
        "load_average_after": load(),
    }
    print(json.dumps(figures))
    return figures


async def measure(args: argparse.Namespace, layout: dict[str, int], databases: dict[str, str], folder: Path, redis_url: str) -> list[dict[str, Any]]:
    """Start the layout, warm it up, run every concurrency level, stop."""
    async with suite_running(layout, databases, folder, redis_url) as (children, addresses):
        warm = argparse.Namespace(**{**vars(args), "seconds": args.warmup})
        await level(2, addresses, children, warm)
        return [await level(c, addresses, children, args) for c in args.concurrency]


def main() -> None:
    """Run the section and merge it into the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each concurrency level runs")
    parser.add_argument("--warmup", type=float, default=8.0, help="seconds of unmeasured rounds before the first level")
    parser.add_argument("--time-limit", type=float, default=0.5, help="solver seconds per plan")
    parser.add_argument("--layout", choices=("replicas", "single"), default="replicas", help="replicas on PostgreSQL, or one process each on SQLite")
    parser.add_argument("--concurrency", type=int, nargs="+", default=list(CONCURRENCY), help="operator counts to measure")
    parser.add_argument("--keep-data", action="store_true", help="keep the services' data and logs for inspection")
    args = parser.parse_args()
    run_id = uuid.uuid4().hex[:8]
    layout = {"gateway": 2, "dispatch": 2} if args.layout == "replicas" else {}
    section: dict[str, Any] = {
        "layout": {
            "gateway": layout.get("gateway", 1),
            "dispatch": layout.get("dispatch", 1),
            "database": "postgresql" if layout else "sqlite",
            "processes": [f"{s}x{layout.get(s, 1)}" for s in SERVICES],
        },
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load()},
        "command": "python -m bench.scale_roundtrips " + " ".join(sys.argv[1:]),
        "run_id": run_id,
        "solver_time_limit_s": args.time_limit,
    }
    with bench_folder("bench-roundtrips-", keep=args.keep_data) as (folder, redis_url), contextlib.ExitStack() as stack:
        databases = stack.enter_context(postgres_databases(run_id)) if layout else {}
        section["levels"] = asyncio.run(measure(args, layout, databases, folder, redis_url))
    section["machine"]["load_average_at_end"] = load()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("round_trips", {})[args.layout] = section
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(section, indent=2))


if __name__ == "__main__":
    main()
