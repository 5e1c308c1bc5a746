"""Gateway benchmark: report-to-committed-plan latency with concurrent operators, and GetSituation throughput.

Every service runs as its own process (as the launcher starts them) on a private Redis and SQLite files in a
temporary folder; the whole Jiangyin demo data set is seeded through the resources API. Each operator repeats
ReportIncident (recommendation accepted) -> ProposePlan -> CommitPlan on an incident of its own; between rounds,
outside the timed part, it cancels the incident and brings its units home so the fleet does not run dry.

Run from the project root: .venv/bin/python -m bench.gateway [--operators 10] [--rounds 3]
Writes bench/results/gateway.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import grpc
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.incident.v1 import incident_service_pb2_grpc as ipb_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc

from services.common.auth import Role, mint_token
from services.common.client import bearer
from services.common.local import free_port, start_private_redis
from services.common.settings import DEVELOPMENT_JWT_SECRET, Settings, load_settings
from services.launcher import start_child, stop_children, wait_all
from services.resources.seed import seed_demo

RESULTS = Path(__file__).parent / "results" / "gateway.json"
SERVICES = ("incident", "resources", "casebase", "dispatch", "gateway")
SEED = 20240618
STOP_GRACE_S = 25.0

# Incident templates placed inside the demo parks (kind, substance, UN number, hazard class, level).
TEMPLATES = (
    ("Chlorine leak at a loading bay", common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK, "chlorine", "1017", "2.3", common_pb2.SEVERITY_III),
    ("Naphtha tank rim-seal fire", common_pb2.INCIDENT_KIND_FIRE, "naphtha", "1268", "3", common_pb2.SEVERITY_III),
    ("Benzene spill from a road tanker", common_pb2.INCIDENT_KIND_CHEMICAL_SPILL, "benzene", "1114", "3", common_pb2.SEVERITY_IV),
    ("Ammonia release in a refrigeration plant", common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK, "ammonia", "1005", "2.3", common_pb2.SEVERITY_IV),
    ("LPG leak at a filling station", common_pb2.INCIDENT_KIND_FLAMMABLE_GAS_LEAK, "propane", "1978", "2.1", common_pb2.SEVERITY_III),
)
PARK_CENTRES = {
    "ligang": (31.955, 120.090),
    "shengang": (31.925, 120.175),
    "xiagang": (31.935, 120.225),
    "bridge-port": (31.940, 120.270),
    "hitech-east": (31.900, 120.330),
    "chengxi": (31.905, 120.212),
}


def incident_for(
    rng: random.Random, parks: Sequence[str] = tuple(sorted(PARK_CENTRES)), source: str = "bench", reported_by: str = "the benchmark"
) -> ipb.Incident:
    """A plausible incident in one of the demo parks."""
    title, kind, substance, un_number, hazard_class, severity = rng.choice(TEMPLATES)
    park = rng.choice(parks)
    lat, lon = PARK_CENTRES[park]
    return ipb.Incident(
        title=title,
        park_id=park,
        location=common_pb2.Location(
            point=common_pb2.GeoPoint(latitude=lat + rng.uniform(-0.006, 0.004), longitude=lon + rng.uniform(-0.01, 0.01)), description=f"{source} site"
        ),
        kind=kind,
        substance=common_pb2.Substance(name=substance, un_number=un_number, hazard_class=hazard_class),
        severity=severity,
        reporter=f"{source} operator",
        description=f"{title}, reported by {reported_by}",
    )


class OperatorStubs(NamedTuple):
    """An operator's stubs: the gateway for the timed rounds, the resources and incident services for the untimed clean-up."""

    gateway: gpb_grpc.CommandCenterServiceStub
    resources: rpb_grpc.ResourceServiceStub
    incidents: ipb_grpc.IncidentServiceStub


@contextlib.asynccontextmanager
async def operator_stubs(gateway: str, resources: str, incident: str) -> AsyncIterator[OperatorStubs]:
    """Channels to the gateway and to the resources and incident services at these addresses, open for the block."""
    async with grpc.aio.insecure_channel(gateway) as gw, grpc.aio.insecure_channel(resources) as rs, grpc.aio.insecure_channel(incident) as inc:
        yield OperatorStubs(gpb_grpc.CommandCenterServiceStub(gw), rpb_grpc.ResourceServiceStub(rs), ipb_grpc.IncidentServiceStub(inc))


async def bring_home(
    resources: rpb_grpc.ResourceServiceStub, incident: ipb_grpc.IncidentServiceStub, committed: gpb.CommitPlanResponse, metadata: tuple[tuple[str, str], ...]
) -> None:
    """Untimed clean-up: cancel the incidents and move their units back to available."""
    for item in committed.incidents:
        await incident.CancelIncident(
            ipb.CancelIncidentRequest(request_id=uuid.uuid4().hex, name=item.name, version=item.version, reason="benchmark round over"), metadata=metadata
        )
    for assignment in committed.committed.optimized.plan.assignments:
        unit = (await resources.GetUnit(rpb.GetUnitRequest(name=assignment.unit_id), metadata=metadata)).unit
        for target in (rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_AVAILABLE):
            if unit.state in (rpb.Unit.STATE_AVAILABLE, rpb.Unit.STATE_OUT_OF_SERVICE):
                break
            unit = (
                await resources.ReportUnitStatus(
                    rpb.ReportUnitStatusRequest(request_id=uuid.uuid4().hex, name=unit.name, version=unit.version, state=target), metadata=metadata
                )
            ).unit


@dataclass
class Tally:
    """What the timed rounds measured."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    replans: list[int] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)

    def phase(self, name: str, seconds: float) -> None:
        """Record one phase's time."""
        self.phases.setdefault(name, []).append(seconds)


async def one_round(
    gateway: gpb_grpc.CommandCenterServiceStub, incident: ipb.Incident, time_limit_s: float, metadata: tuple[tuple[str, str], ...], tally: Tally
) -> gpb.CommitPlanResponse | None:
    """Report -> propose -> commit for one incident, timed."""
    started = time.perf_counter()
    try:
        reported = await gateway.ReportIncident(
            gpb.ReportIncidentRequest(request_id=uuid.uuid4().hex, incident=incident, accept_recommendation=True), metadata=metadata
        )
        tally.phase("report", time.perf_counter() - started)
        mark = time.perf_counter()
        options = dpb.PlanOptions(time_limit_s=time_limit_s, workers=1)
        proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[reported.incident.name], options=options), metadata=metadata)).proposal
        tally.phase("propose", time.perf_counter() - mark)
        tally.phase("solver", proposal.optimized.solver.wall_time_s)
        mark = time.perf_counter()
        committed = await gateway.CommitPlan(gpb.CommitPlanRequest(request_id=uuid.uuid4().hex, proposal=proposal.name), metadata=metadata)
        tally.phase("commit", time.perf_counter() - mark)
    except grpc.aio.AioRpcError as error:
        tally.failures.append(f"{error.code().name}: {error.details()}")
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.replans.append(committed.replans)
    return committed


async def operator(index: int, rounds: int, addresses: dict[str, str], time_limit_s: float, tally: Tally, barrier: asyncio.Barrier | None = None) -> None:
    """One operator's rounds; with a barrier, every operator reports at the same moment and cleans up only after all are timed."""
    rng = random.Random(SEED + index)
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject=f"bench-operator-{index}", role=Role.OPERATOR))
    async with operator_stubs(addresses["gateway"], addresses["resources"], addresses["incident"]) as (gateway, resources, incidents):
        for _ in range(rounds):
            if barrier is not None:
                await barrier.wait()
            committed = await one_round(gateway, incident_for(rng), time_limit_s, metadata, tally)
            if barrier is not None:
                await barrier.wait()
            if committed is not None:
                await bring_home(resources, incidents, committed, metadata)


async def situation_rate(address: str, callers: int, duration_s: float) -> float:
    """GetSituation calls per second with concurrent viewers over a fixed time."""
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject="bench-viewer", role=Role.VIEWER))
    done = 0
    deadline = time.perf_counter() + duration_s

    async def viewer() -> None:
        nonlocal done
        async with grpc.aio.insecure_channel(address) as channel:
            stub = gpb_grpc.CommandCenterServiceStub(channel)
            while time.perf_counter() < deadline:
                await stub.GetSituation(gpb.GetSituationRequest(), metadata=metadata)
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(viewer() for _ in range(callers)))
    return done / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


@contextlib.contextmanager
def bench_folder(prefix: str, *, keep: bool) -> Iterator[tuple[Path, str]]:
    """A scratch folder with a private Redis: removed after a good run unless kept, kept with its logs after a failure."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    redis_process, redis_url = start_private_redis(folder / "redis")
    try:
        yield folder, redis_url
    except BaseException:
        print(f"benchmark failed; service logs kept in {folder / 'logs'}", file=sys.stderr)
        raise
    else:
        if keep:
            print(f"data and logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        redis_process.terminate()
        redis_process.wait(timeout=10)


def bench_environment(folder: Path, redis_url: str, **env: str) -> dict[str, str]:
    """The environment of a benchmark's service processes: quiet logs, no traces, no rate limit, SQLite in the folder."""
    environment = {
        **os.environ,
        "HOST": "127.0.0.1",
        "DATA_DIR": str(folder),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        "OTEL_TRACES_EXPORTER": "none",
        "GATEWAY_RATE_LIMIT_PER_S": "0",
        "METRICS_PORT": "0",
        **env,
    }
    environment.pop("DATABASE_URL", None)
    return environment


@contextlib.asynccontextmanager
async def services_running(services: Sequence[str], folder: Path, redis_url: str, **env: str) -> AsyncIterator[tuple[Settings, dict[str, str]]]:
    """Each service as its own process (as the launcher starts them) on free ports, SQLite files in the folder and
    the given Redis; yields the settings that reach them and their addresses, and stops them on the way out."""
    ports = {name: free_port() for name in services}
    environment = bench_environment(folder, redis_url, **env, **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()})
    settings = load_settings(host="127.0.0.1", data_dir=folder, redis_url=redis_url, **{f"{n}_port": p for n, p in ports.items()})
    logs = folder / "logs"
    logs.mkdir()
    children = [start_child(name, settings, environment, logs) for name in services]
    try:
        if not all((await wait_all(children, 120.0)).values()):
            raise SystemExit("a service did not become healthy; see its log")
        yield settings, {child.name: child.address for child in children}
    finally:
        stop_children(children, STOP_GRACE_S)


async def run(args: argparse.Namespace, folder: Path, redis_url: str) -> dict[str, object]:
    """Start the services, seed, measure, stop."""
    async with services_running(SERVICES, folder, redis_url) as (settings, addresses):
        print(await seed_demo(settings))
        tally = Tally()
        await operator(999, 1, addresses, args.time_limit, Tally())  # warm-up, not measured
        barrier = asyncio.Barrier(args.operators)
        await asyncio.gather(*(operator(i, args.rounds, addresses, args.time_limit, tally, barrier) for i in range(args.operators)))
        rate = await situation_rate(addresses["gateway"], args.viewers, args.situation_seconds)
    latencies = tally.latencies
    for failure in tally.failures:
        print("failed:", failure[:200])
    for phase, values in tally.phases.items():
        print(f"{phase:8} p50 {statistics.median(values):.3f} s  p95 {percentile(values, 0.95):.3f} s  (n={len(values)})")
    return {
        "report_to_commit_p50_s": round(statistics.median(latencies), 3),
        "report_to_commit_p95_s": round(percentile(latencies, 0.95), 3),
        "situation_per_s": round(rate, 1),
        "report_to_commit_max_s": round(max(latencies), 3),
        "operators": args.operators,
        "commits": len(latencies),
        "failed_commits": len(tally.failures),
        "replans": sum(tally.replans),
        "solver_time_limit_s": args.time_limit,
        "situation_viewers": args.viewers,
        "units": 371,
    }


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=10, help="concurrent operators")
    parser.add_argument("--rounds", type=int, default=3, help="report -> commit rounds per operator")
    parser.add_argument("--time-limit", type=float, default=1.0, help="solver seconds per plan")
    parser.add_argument("--viewers", type=int, default=4, help="concurrent GetSituation callers")
    parser.add_argument("--situation-seconds", type=float, default=10.0, help="how long to measure GetSituation")
    parser.add_argument("--keep-data", action="store_true", help="keep the services' data and logs for inspection")
    args = parser.parse_args()
    with bench_folder("bench-gateway-", keep=args.keep_data) as (folder, redis_url):
        results = asyncio.run(run(args, folder, redis_url))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
