"""The chaos run's auditor: checks the suite's invariants after the faults, reading each service's database directly.

This is an auditing tool, not a service: to see what really happened it reads the databases of the resources,
incident and gateway services (and every outbox) and the Redis streams, which no service of the suite ever does
to another's. It only reads.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import create_engine, text

OUTBOX_SERVICES = ("incident", "resources", "casebase", "gateway")
OPEN_RESERVATIONS = ("ACTIVE", "CONFIRMED")
PRE_RESPONSE = ("REPORTED", "VERIFIED", "DISPATCHING")
BROKEN_OUT = frozenset({"event_lost", "event_duplicated", "orphan_hold", "double_issue"})


@dataclass
class Findings:
    """What the audit found: counts by check, and one line per violation."""

    by_check: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)
    lost_events: int = 0
    duplicate_events: int = 0
    unrelayed_events: int = 0
    orphan_holds: int = 0
    double_issues: int = 0
    outbox_rows: int = 0

    def add(self, check: str, detail: str) -> None:
        """Record one violation."""
        self.by_check[check] += 1
        if len(self.details) < 200:
            self.details.append(f"{check}: {detail}")

    @property
    def invariant_violations(self) -> int:
        """Violations of the state invariants; lost and duplicated events, orphan holds and double issues are counted apart."""
        return sum(n for check, n in self.by_check.items() if check not in BROKEN_OUT)

    @property
    def clean(self) -> bool:
        """Nothing at all went wrong."""
        return not self.by_check


def rows(url: str, sql: str) -> list[dict[str, Any]]:
    """Every row of a read-only query."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def check_units(findings: Findings, resources: str) -> None:
    """No unit in two open reservations; RESERVED only under a live hold; away only under a confirmed one."""
    doubles = rows(
        resources,
        "SELECT ru.park_id, ru.unit_id, COUNT(*) AS n FROM reservation_units ru JOIN reservations r ON r.reservation_id = ru.reservation_id "
        "WHERE ru.namespace = '' AND ru.state IN ('HELD', 'CONFIRMED') AND r.state IN ('ACTIVE', 'CONFIRMED') GROUP BY ru.park_id, ru.unit_id HAVING COUNT(*) > 1",
    )
    for row in doubles:
        findings.add("unit_in_two_reservations", f"parks/{row['park_id']}/units/{row['unit_id']} in {row['n']} open reservations")
    held = {
        (r["park_id"], r["unit_id"], r["reservation_id"], r["item_state"], r["res_state"])
        for r in rows(
            resources,
            "SELECT ru.park_id, ru.unit_id, ru.reservation_id, ru.state AS item_state, r.state AS res_state FROM reservation_units ru "
            "JOIN reservations r ON r.reservation_id = ru.reservation_id WHERE ru.namespace = '' AND ru.holding",
        )
    }
    for unit in rows(resources, "SELECT park_id, unit_id, state, reservation_id, incident FROM units WHERE namespace = ''"):
        key = (unit["park_id"], unit["unit_id"], unit["reservation_id"])
        name = f"parks/{unit['park_id']}/units/{unit['unit_id']}"
        if unit["state"] == "RESERVED" and (*key, "HELD", "ACTIVE") not in held:
            findings.add("reserved_without_live_hold", f"{name} RESERVED under reservations/{unit['reservation_id']}")
        if unit["state"] in ("EN_ROUTE", "ON_SCENE") and (*key, "CONFIRMED", "CONFIRMED") not in held:
            findings.add("away_without_confirmed_reservation", f"{name} {unit['state']} under reservations/{unit['reservation_id'] or '-'}")
        if unit["state"] not in ("AVAILABLE", "OUT_OF_SERVICE"):
            findings.add("unit_not_home_at_end", f"{name} {unit['state']} for {unit['incident'] or '-'}")


def check_stocks(findings: Findings, resources: str) -> None:
    """On hand equals the ledger; reserved equals the live holds; each confirmed supply item issued exactly once."""
    ledger = {
        (r["park_id"], r["depot_id"], r["type"]): r
        for r in rows(
            resources,
            "SELECT park_id, depot_id, type, SUM(delta) AS total, MAX(sequence) AS last FROM stock_ledger WHERE namespace = '' GROUP BY park_id, depot_id, type",
        )
    }
    last_after = {
        (r["park_id"], r["depot_id"], r["type"], r["sequence"]): r["on_hand_after"]
        for r in rows(resources, "SELECT park_id, depot_id, type, sequence, on_hand_after FROM stock_ledger WHERE namespace = ''")
    }
    holds: Counter[tuple[str, str, str]] = Counter()
    for r in rows(
        resources,
        "SELECT rs.park_id, rs.depot_id, rs.type, rs.amount FROM reservation_stocks rs JOIN reservations r ON r.reservation_id = rs.reservation_id "
        "WHERE rs.namespace = '' AND rs.state = 'HELD' AND r.state = 'ACTIVE'",
    ):
        holds[(r["park_id"], r["depot_id"], r["type"])] += int(r["amount"])
    for stock in rows(resources, "SELECT park_id, depot_id, type, on_hand, reserved FROM stocks WHERE namespace = ''"):
        key = (stock["park_id"], stock["depot_id"], stock["type"])
        name = "parks/{}/depots/{}/stocks/{}".format(*key)
        entry = ledger.get(key)
        total = int(entry["total"]) if entry else 0
        if total != stock["on_hand"]:
            findings.add("stock_differs_from_ledger", f"{name}: on hand {stock['on_hand']}, ledger sum {total}")
        if entry and last_after.get((*key, entry["last"])) != stock["on_hand"]:
            findings.add("stock_differs_from_ledger", f"{name}: on hand {stock['on_hand']}, last ledger entry says {last_after.get((*key, entry['last']))}")
        if holds[key] != stock["reserved"]:
            findings.add("stock_reserved_differs_from_holds", f"{name}: reserved {stock['reserved']}, live holds {holds[key]}")
    issues = Counter(
        (r["reservation_id"], r["park_id"], r["depot_id"], r["type"], int(r["delta"]))
        for r in rows(
            resources,
            "SELECT reservation_id, park_id, depot_id, type, delta FROM stock_ledger WHERE namespace = '' AND kind = 'ISSUE' AND reservation_id <> ''",
        )
    )
    per_item: Counter[tuple[str, str, str, str]] = Counter()
    for (rid, park, depot, kind, _delta), n in issues.items():
        per_item[(rid, park, depot, kind)] += n
    for item, n in per_item.items():
        if n > 1:
            findings.double_issues += n - 1
            findings.add("double_issue", "reservations/{} issued {}/{}/{} {} times".format(*item, n))
    for r in rows(resources, "SELECT reservation_id, park_id, depot_id, type, amount FROM reservation_stocks WHERE namespace = '' AND state = 'CONFIRMED'"):
        if issues[(r["reservation_id"], r["park_id"], r["depot_id"], r["type"], -int(r["amount"]))] == 0:
            findings.add("confirmed_supply_not_issued", "reservations/{reservation_id} {park_id}/{depot_id}/{type} x{amount}".format(**r))


def check_reservations(findings: Findings, resources: str, incident: str) -> None:
    """No hold left behind, and each reservation's state agrees with its incident's."""
    states = {f"incidents/{r['incident_id']}": r["state"] for r in rows(incident, "SELECT incident_id, state FROM incidents WHERE exercise_id = ''")}
    reservations = rows(resources, "SELECT reservation_id, incident, state FROM reservations WHERE namespace = ''")
    sent: set[str] = set()
    for r in reservations:
        name, state = f"reservations/{r['reservation_id']}", states.get(r["incident"], "MISSING")
        if r["state"] == "ACTIVE":
            findings.orphan_holds += 1
            findings.add("orphan_hold", f"{name} still ACTIVE at the end, incident {r['incident']} {state}")
        if r["state"] in ("CONFIRMED", "COMPLETED"):
            sent.add(r["incident"])
            if state in PRE_RESPONSE or state == "MISSING":
                findings.add("reservation_ahead_of_incident", f"{name} {r['state']} but {r['incident']} is {state}")
    for name, state in states.items():
        if state in ("RESPONDING", "CONTAINED") and name not in sent:
            findings.add("incident_ahead_of_reservation", f"{name} {state} with no confirmed reservation")
    stray = rows(
        resources,
        "SELECT ru.reservation_id, ru.park_id, ru.unit_id, r.state FROM reservation_units ru JOIN reservations r ON r.reservation_id = ru.reservation_id "
        "WHERE ru.namespace = '' AND ru.holding AND r.state NOT IN ('ACTIVE', 'CONFIRMED')",
    )
    stray += rows(
        resources,
        "SELECT rs.reservation_id, rs.park_id, rs.depot_id AS unit_id, r.state FROM reservation_stocks rs JOIN reservations r ON r.reservation_id = rs.reservation_id "
        "WHERE rs.namespace = '' AND rs.state = 'HELD' AND r.state <> 'ACTIVE'",
    )
    for r in stray:
        findings.orphan_holds += 1
        findings.add("orphan_hold", "item {park_id}/{unit_id} still held by reservations/{reservation_id} which is {state}".format(**r))


def check_commits(findings: Findings, resources: str, gateway: str, answered: dict[str, set[str]]) -> None:
    """No saga left running; every unit a commit recorded or answered really went out under a confirmed reservation."""
    for saga in rows(gateway, "SELECT request_id, step FROM gateway_sagas WHERE state = 'RUNNING'"):
        findings.add("saga_left_running", f"{saga['request_id']} at step {saga['step']}")
    dispatched: defaultdict[str, set[str]] = defaultdict(set)
    for r in rows(
        resources,
        "SELECT r.incident, ru.park_id, ru.unit_id FROM reservation_units ru JOIN reservations r ON r.reservation_id = ru.reservation_id "
        "WHERE ru.namespace = '' AND ru.state IN ('CONFIRMED', 'COMPLETED') AND r.state IN ('CONFIRMED', 'COMPLETED')",
    ):
        dispatched[r["incident"]].add(f"parks/{r['park_id']}/units/{r['unit_id']}")
    recorded: defaultdict[str, set[str]] = defaultdict(set)
    for commit in rows(gateway, "SELECT incident, plan FROM gateway_commits WHERE exercise_id = ''"):
        recorded[commit["incident"]].update(a["unit_id"] for a in json.loads(commit["plan"]).get("assignments", []))
    for source, units_by_incident in (("recorded", recorded), ("answered", answered)):
        for incident, units in units_by_incident.items():
            for unit in sorted(units - dispatched[incident]):
                findings.add("committed_unit_not_dispatched", f"{unit} {source} as committed to {incident}, no confirmed reservation sent it")


def check_outboxes(findings: Findings, urls: dict[str, str], redis_url: str) -> None:
    """Every outbox row is in its stream exactly once."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        for service in OUTBOX_SERVICES:
            outbox = rows(urls[service], "SELECT event_id, stream, relayed_at FROM outbox_events")
            findings.outbox_rows += len(outbox)
            seen: Counter[str] = Counter()
            for stream in sorted({r["stream"] for r in outbox}):
                last = "-"
                while True:
                    batch: list[tuple[str, dict[str, str]]] = client.xrange(stream, min=last, max="+", count=5000) or []  # type: ignore[assignment]
                    fresh = batch if last == "-" else batch[1:]
                    seen.update(fields.get("event_id", "") for _id, fields in fresh)
                    if len(batch) < 5000:
                        break
                    last = batch[-1][0]
            for row in outbox:
                n = seen[row["event_id"]]
                if n == 0 and row["relayed_at"] is None:
                    findings.unrelayed_events += 1
                    findings.add("event_not_relayed", f"{service} {row['event_id']} still waiting in the outbox")
                elif n == 0:
                    findings.lost_events += 1
                    findings.add("event_lost", f"{service} {row['event_id']} marked relayed but not in {row['stream']}")
                elif n > 1:
                    findings.duplicate_events += n - 1
                    findings.add("event_duplicated", f"{service} {row['event_id']} {n} times in {row['stream']}")
    finally:
        client.close()


def audit(urls: dict[str, str], redis_url: str, answered: dict[str, set[str]]) -> Findings:
    """Run every check."""
    findings = Findings()
    check_units(findings, urls["resources"])
    check_stocks(findings, urls["resources"])
    check_reservations(findings, urls["resources"], urls["incident"])
    check_commits(findings, urls["resources"], urls["gateway"], answered)
    check_outboxes(findings, urls, redis_url)
    return findings


def pending_work(urls: dict[str, str]) -> dict[str, int]:
    """What is still settling: outbox rows not relayed, holds not yet expired or released, sagas still running."""
    waiting = {service: rows(urls[service], "SELECT COUNT(*) AS n FROM outbox_events WHERE relayed_at IS NULL")[0]["n"] for service in OUTBOX_SERVICES}
    waiting["holds"] = rows(urls["resources"], "SELECT COUNT(*) AS n FROM reservations WHERE state = 'ACTIVE'")[0]["n"]
    waiting["sagas"] = rows(urls["gateway"], "SELECT COUNT(*) AS n FROM gateway_sagas WHERE state = 'RUNNING'")[0]["n"]
    return {k: int(v) for k, v in waiting.items()}
