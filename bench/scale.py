"""Scale benchmark, situation section: GetSituation with 8 and 64 viewers, and the read model's lag under a stream of commits.

Every service runs as its own process (as the launcher starts them) on a private Redis and SQLite files in a temporary
folder, with the whole demo data set seeded through the resources API and a few incidents left open so the board has
something to show. Viewers call GetSituation back to back for a fixed time; then operators repeat report -> propose ->
commit (and, untimed, cancel and bring their units home straight at the resources service) while the gateway's read
model applies the events, first alone, then with 8 viewers calling GetSituation back to back; its lag (event time to
applied) is read from the gateway's Prometheus endpoint (p50/p95 of the histogram's change over the phase, interpolated
within its buckets, and the exact figures over the last 2,048 events). The machine's load average is recorded with the
figures: the machine is shared.

Run from the project root: .venv/bin/python -m bench.scale [--seconds 15] [--operators 4] [--baseline]
Writes the `situation` section of bench/results/scale.json (other sections are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from prometheus_client.parser import text_string_to_metric_families

from bench.gateway import SEED, Tally, bench_folder, bring_home, incident_for, one_round, operator_stubs, percentile, services_running
from services.common.auth import Role, mint_token
from services.common.client import bearer
from services.common.local import free_port
from services.common.settings import DEVELOPMENT_JWT_SECRET
from services.resources.seed import seed_demo

RESULTS = Path(__file__).parent / "results" / "scale.json"
BACKENDS = ("incident", "resources", "casebase", "dispatch")
VIEWERS = (8, 64)
OPEN_INCIDENTS = 6
Metadata = tuple[tuple[str, str], ...]


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


async def viewers(address: str, count: int, seconds: float) -> dict[str, Any]:
    """GetSituation calls per second and latency with `count` viewers calling back to back for `seconds`."""
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject="bench-viewer", role=Role.VIEWER))
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    async def viewer() -> None:
        async with grpc.aio.insecure_channel(address) as channel:
            stub = gpb_grpc.CommandCenterServiceStub(channel)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    await stub.GetSituation(gpb.GetSituationRequest(), metadata=metadata, timeout=30)
                except grpc.aio.AioRpcError as error:
                    failures.append(error.code().name)
                    continue
                latencies.append(time.perf_counter() - started)

    before = load()
    started = time.perf_counter()
    await asyncio.gather(*(viewer() for _ in range(count)))
    elapsed = time.perf_counter() - started
    return {
        "viewers": count,
        "calls_per_s": round(len(latencies) / elapsed, 1),
        "p50_s": round(statistics.median(latencies), 4) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 4) if latencies else None,
        "calls": len(latencies),
        "failures": len(failures),
        "load_average_before": before,
        "load_average_after": load(),
    }


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus endpoint."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, frozenset((k, v) for k, v in sample.labels.items() if not k.startswith("otel_scope")))
            samples[key] = samples.get(key, 0.0) + sample.value
    return samples


def histogram_quantile(before: dict[Any, float], after: dict[Any, float], name: str, q: float) -> tuple[float | None, int]:
    """The q-quantile of what a histogram recorded between two scrapes (linear within its bucket, as Prometheus does), and the count."""
    buckets: dict[float, float] = {}
    for (sample, labels), value in after.items():
        if sample == f"{name}_bucket":
            edge = float(dict(labels)["le"])
            buckets[edge] = buckets.get(edge, 0.0) + value - before.get((sample, labels), 0.0)
    total = max(buckets.values(), default=0.0)
    if not total:
        return None, 0
    lower, below = 0.0, 0.0
    for edge in sorted(buckets):
        if buckets[edge] >= q * total:
            if edge == float("inf"):
                return lower, int(total)
            share = (q * total - below) / max(buckets[edge] - below, 1e-9)
            return round(lower + (edge - lower) * share, 4), int(total)
        lower, below = edge, buckets[edge]
    return None, int(total)


async def operator(index: int, addresses: dict[str, str], deadline: float, tally: Tally, time_limit_s: float) -> None:
    """Report -> propose -> commit until the deadline; cancel and bring the units home between rounds (untimed)."""
    rng = random.Random(SEED + 100 + index)
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject=f"bench-scale-operator-{index}", role=Role.OPERATOR))
    async with operator_stubs(addresses["gateway"], addresses["resources"], addresses["incident"]) as (gateway, resources, incidents):
        while time.perf_counter() < deadline:
            committed = await one_round(gateway, incident_for(rng), time_limit_s, metadata, tally)
            if committed is not None:
                await bring_home(resources, incidents, committed, metadata)


async def leave_open(address: str, count: int, time_limit_s: float) -> None:
    """Report and commit a few incidents and leave them open, so the board shows incidents, units away and plans."""
    rng = random.Random(SEED + 7)
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject="bench-scale-setup", role=Role.OPERATOR))
    async with grpc.aio.insecure_channel(address) as channel:
        gateway = gpb_grpc.CommandCenterServiceStub(channel)
        for _ in range(count):
            await one_round(gateway, incident_for(rng), time_limit_s, metadata, Tally())


async def lag_under_commits(addresses: dict[str, str], metrics_port: int, args: argparse.Namespace, watchers: int) -> dict[str, Any]:
    """The read model's lag while operators commit back to back (with `watchers` viewers calling GetSituation meanwhile)."""
    before = await asyncio.to_thread(scrape, metrics_port)
    tally = Tally()
    started = time.perf_counter()
    deadline = started + args.commit_seconds
    load_before = load()
    operators = [operator(i, addresses, deadline, tally, args.time_limit) for i in range(args.operators)]
    if watchers:
        watching, *_ = await asyncio.gather(viewers(addresses["gateway"], watchers, args.commit_seconds), *operators)
    else:
        watching = None
        await asyncio.gather(*operators)
    elapsed = time.perf_counter() - started
    after = await asyncio.to_thread(scrape, metrics_port)
    p95, events = histogram_quantile(before, after, "emergency_readmodel_lag_seconds", 0.95)
    p50, _ = histogram_quantile(before, after, "emergency_readmodel_lag_seconds", 0.5)
    window = {dict(labels).get("quantile"): value for (name, labels), value in after.items() if name == "emergency_readmodel_lag_recent_seconds"}
    reads = {
        dict(labels).get("path"): value - before.get((name, labels), 0.0)
        for (name, labels), value in after.items()
        if name == "emergency_readmodel_reads_total"
    }
    return {
        "operators": args.operators,
        "viewers_meanwhile": watchers,
        "seconds": round(elapsed, 1),
        "commits": len(tally.latencies),
        "commits_per_s": round(len(tally.latencies) / elapsed, 2),
        "failed_commits": len(tally.failures),
        "replans": sum(tally.replans),
        "events_applied": events,
        "lag_p95_s": p95,
        "lag_p50_s": p50,
        "lag_last_2048_events": {
            "p50_s": round(window.get("0.5", 0.0), 4),
            "p95_s": round(window.get("0.95", 0.0), 4),
            "max_s": round(window.get("1", 0.0), 4),
        },
        "situation_meanwhile": {k: watching[k] for k in ("calls_per_s", "p50_s", "p95_s", "calls", "failures")} if watching else None,
        "situation_reads_by_path": reads,
        "load_average_before": load_before,
        "load_average_after": load(),
    }


async def measure(args: argparse.Namespace, folder: Path, redis_url: str, *, read_model: bool) -> dict[str, Any]:
    """Start the suite (the gateway with or without its read model), seed, measure, stop."""
    async with services_running(BACKENDS, folder, redis_url) as (settings, backends):
        print(await seed_demo(settings))
        metrics_port = free_port()
        gateway_env = {
            "METRICS_PORT": str(metrics_port),
            "GATEWAY_READMODEL_ENABLED": "true" if read_model else "false",
            **{f"{name.upper()}_ADDR": address for name, address in backends.items()},
        }
        gateway_folder = folder / "gateway"
        gateway_folder.mkdir()
        async with services_running(("gateway",), gateway_folder, redis_url, **gateway_env) as (_, gateway):
            addresses = {**backends, **gateway}
            await leave_open(addresses["gateway"], OPEN_INCIDENTS, args.time_limit)
            await asyncio.sleep(2.0)  # the read model settles on the seeded and committed state
            situation = [await viewers(addresses["gateway"], count, args.seconds) for count in VIEWERS]
            for figures in situation:
                print(json.dumps(figures))
            lag = [await lag_under_commits(addresses, metrics_port, args, watchers) for watchers in (0, 8)] if read_model else None
            for figures in lag or []:
                print(json.dumps(figures))
    return {"getsituation": situation, "readmodel_lag_under_commits": lag}


def main() -> None:
    """Run the section and merge it into the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long each viewer count calls GetSituation")
    parser.add_argument("--commit-seconds", type=float, default=30.0, help="how long operators commit while the lag is measured")
    parser.add_argument("--operators", type=int, default=4, help="concurrent operators in the commit stream")
    parser.add_argument("--time-limit", type=float, default=0.5, help="solver seconds per plan")
    parser.add_argument("--baseline", action="store_true", help="also measure GetSituation with the read model off")
    parser.add_argument("--keep-data", action="store_true", help="keep the services' data and logs for inspection")
    args = parser.parse_args()
    runs = {"readmodel": True, **({"baseline_without_readmodel": False} if args.baseline else {})}
    section: dict[str, Any] = {
        "layout": {"gateway": 1, "dispatch": 1, "database": "sqlite", "processes": [*BACKENDS, "gateway"]},
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load()},
        "command": "python -m bench.scale " + " ".join(sys.argv[1:]),
        "run_id": uuid.uuid4().hex[:8],
    }
    for label, enabled in runs.items():
        with bench_folder("bench-scale-", keep=args.keep_data) as (folder, redis_url):
            section[label] = asyncio.run(measure(args, folder, redis_url, read_model=enabled))
    section["machine"]["load_average_at_end"] = load()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["situation"] = section
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(section, indent=2))


if __name__ == "__main__":
    main()
