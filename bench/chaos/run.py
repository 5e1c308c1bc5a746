"""One chaos run: start the suite, load it with operator loops, kill and restart every process, settle, audit."""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc

from bench.chaos.audit import Findings, audit, pending_work
from bench.chaos.load import Operator, Tally
from bench.chaos.suite import SERVICES, Suite
from services.common.auth import Role, mint_token
from services.common.client import bearer
from services.common.settings import DEVELOPMENT_JWT_SECRET, load_settings
from services.resources.seed import seed_demo

TARGETS = (*SERVICES, "redis")
# Kills of these may be timed to land while a CommitPlan is in flight (the gateway's always are).
MID_COMMIT = ("gateway", "resources", "incident")


@dataclass
class Plan:
    """How long and how hard to attack."""

    backend: str = "sqlite"
    seed: int = 1
    operators: int = 4
    load_s: float = 150.0
    gap_s: tuple[float, float] = (1.0, 4.0)
    kills_per_target: int = 0  # 0: keep killing until the load time is over; N: exactly N kills of each target
    parks: tuple[str, ...] = ()
    overlap: bool = False  # start each kill without waiting for the previous process to come back
    settle_s: float = 60.0
    reservation_ttl_s: int = 15
    keep: bool = False


@dataclass
class Outcome:
    """What one run did and found."""

    plan: Plan
    tally: Tally
    findings: Findings
    kills: list[tuple[str, float]] = field(default_factory=list)
    load_s: float = 0.0
    folder: Path | None = None

    def summary(self) -> dict[str, Any]:
        """The entry written to chaos.json."""
        recovery = max((s for _, s in self.kills), default=0.0)
        return {
            "backend": self.plan.backend,
            "seed": self.plan.seed,
            "rounds": self.tally.rounds,
            "committed": self.tally.committed,
            "kills": len(self.kills),
            "invariant_violations": self.findings.invariant_violations,
            "lost_events": self.findings.lost_events,
            "duplicate_events": self.findings.duplicate_events,
            "orphan_holds": self.findings.orphan_holds,
            "double_issues": self.findings.double_issues,
            "recovery_s_max": round(recovery, 2),
            "kills_by_target": {t: sum(1 for k, _ in self.kills if k == t) for t in TARGETS},
            "closed": self.tally.closed,
            "cancelled": self.tally.cancelled,
            "outbox_rows": self.findings.outbox_rows,
            "unrelayed_events": self.findings.unrelayed_events,
            "violations_by_check": dict(sorted(self.findings.by_check.items())),
            "operator_errors": len(self.tally.errors),
            "close_retries_refused": self.tally.close_retries_refused,
            "retries": dict(sorted(self.tally.retries.items())),
            "load_s": round(self.load_s, 1),
        }


def schedule(plan: Plan, rng: random.Random) -> list[str]:
    """The order of kills: every target in a shuffled turn, turn after turn."""
    order: list[str] = []
    for _ in range(plan.kills_per_target or 1000):
        turn = list(TARGETS)
        rng.shuffle(turn)
        order.extend(turn)
    return order


async def probe(suite: Suite, timeout_s: float) -> bool:
    """A call through the gateway that needs the resources and incident services: the suite answers again."""
    metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject="chaos-probe", role=Role.VIEWER, ttl_s=600))
    deadline = time.monotonic() + timeout_s
    async with grpc.aio.insecure_channel(suite.address("gateway")) as channel:
        stub = gpb_grpc.CommandCenterServiceStub(channel)
        while time.monotonic() < deadline:
            try:
                await stub.GetSituation(gpb.GetSituationRequest(), metadata=metadata, timeout=5)
                await stub.ListIncidents(gpb.ListIncidentsRequest(page_size=1), metadata=metadata, timeout=5)
                return True
            except grpc.aio.AioRpcError:
                await asyncio.sleep(0.1)
    return False


async def kill_and_recover(suite: Suite, target: str, rng: random.Random, tally: Tally, say: Callable[[str], None]) -> float:
    """Kill one process (for some, while a commit is in flight), restart it, and return the seconds until the suite answers."""
    timed = target == "gateway" or (target in MID_COMMIT and rng.random() < 0.6)
    delay = rng.uniform(0.0, 0.4)
    if timed:
        waited = time.monotonic() + 10
        while tally.in_commit == 0 and time.monotonic() < waited:
            await asyncio.sleep(0.01)
        await asyncio.sleep(delay)
    down_s = rng.uniform(0.0, 1.5)
    in_flight = tally.in_commit
    timed = timed and in_flight > 0  # no commit came along in time: an ordinary kill
    killed_at = time.monotonic()
    if target == "redis":
        suite.kill_redis()
    else:
        suite.kill(target)
    await asyncio.sleep(down_s)
    if target == "redis":
        await asyncio.to_thread(suite.start_redis)
    else:
        suite.start(target)
        if not await suite.serving(target, 120.0):
            raise RuntimeError(f"{target} did not come back; see {suite.folder / 'logs' / (target + '.log')}")
    if not await probe(suite, 120.0):
        raise RuntimeError(f"the suite did not answer after {target} restarted")
    recovery = time.monotonic() - killed_at
    say(f"killed {target:9} ({'mid-commit, ' if timed else ''}{in_flight} commit(s) in flight, down {down_s:.1f} s): answering again after {recovery:.1f} s")
    return recovery


async def attempt_kill(suite: Suite, target: str, rng: random.Random, tally: Tally, say: Callable[[str], None]) -> tuple[str, float]:
    """One kill and its recovery time."""
    return target, await kill_and_recover(suite, target, rng, tally, say)


async def settle(suite: Suite, timeout_s: float, say: Callable[[str], None]) -> dict[str, int]:
    """Wait until outboxes are relayed, holds have expired or been released and no saga runs (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        waiting = await asyncio.to_thread(pending_work, suite.database_urls)
        if not any(waiting.values()) or time.monotonic() > deadline:
            say(f"settled: {waiting}")
            return waiting
        await asyncio.sleep(1.0)


async def attack(plan: Plan, folder: Path, say: Callable[[str], None]) -> Outcome:
    """Start, seed, load and kill, settle, audit, stop."""
    rng = random.Random(plan.seed)
    suite = Suite(folder=folder, backend=plan.backend, reservation_ttl_s=plan.reservation_ttl_s)
    tally = Tally()
    outcome = Outcome(plan=plan, tally=tally, findings=Findings(), folder=folder)
    try:
        await suite.start_all()
        settings = load_settings(data_dir=folder, redis_url=suite.redis_url, **{f"{n}_port": p for n, p in suite.ports.items()})
        say(await seed_demo(settings, parks=plan.parks))
        parks = plan.parks or ("ligang", "shengang", "xiagang", "bridge-port", "hitech-east", "chengxi")
        stop = asyncio.Event()
        operators = [Operator(i, suite.address("gateway"), plan.seed, parks, tally, budget_s=plan.settle_s) for i in range(plan.operators)]
        loops = [asyncio.create_task(op.run(stop)) for op in operators]
        started = time.monotonic()

        def note(line: str) -> None:
            say(f"[{time.monotonic() - started:6.1f} s] rounds {tally.rounds:3} committed {tally.committed:3} | {line}")

        pending: list[asyncio.Task[tuple[str, float]]] = []
        for target in schedule(plan, rng):
            if not plan.kills_per_target and time.monotonic() - started > plan.load_s and len(pending) >= len(TARGETS):
                break  # the load time is over and every process was killed at least once
            await asyncio.sleep(rng.uniform(*plan.gap_s))
            kill = asyncio.create_task(attempt_kill(suite, target, random.Random(rng.random()), tally, note))
            if not plan.overlap:
                await kill
            pending.append(kill)
        outcome.kills.extend(await asyncio.gather(*pending))
        while time.monotonic() - started < plan.load_s and not plan.kills_per_target:
            await asyncio.sleep(1.0)
        if plan.kills_per_target:
            await asyncio.sleep(rng.uniform(*plan.gap_s))
        stop.set()
        note("load over; letting each operator finish its round")
        await asyncio.wait_for(asyncio.gather(*loops), timeout=plan.settle_s * 3)
        outcome.load_s = time.monotonic() - started
        await settle(suite, plan.settle_s, note)
        outcome.findings = await asyncio.to_thread(audit, suite.database_urls, suite.redis_url, tally.committed_units)
    finally:
        suite.stop_all()
    return outcome


def run_plan(plan: Plan, say: Callable[[str], None] = print) -> Outcome:
    """Run one plan in a temporary folder (kept when something was found or when asked)."""
    folder = Path(tempfile.mkdtemp(prefix=f"chaos-{plan.backend}-"))
    say(f"chaos run on {plan.backend}: seed {plan.seed}, {plan.operators} operators, data and logs in {folder}")
    outcome = asyncio.run(attack(plan, folder, say))
    if outcome.findings.clean and not plan.keep:
        shutil.rmtree(folder, ignore_errors=True)
        outcome.folder = None
    return outcome
