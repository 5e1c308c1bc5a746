"""The console through a whole incident: bare and full ids, ids printed whole, versions read for the operator, enum errors, quantities."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.resources.v1 import resources_service_pb2 as rpb
from typer.testing import CliRunner

from console.cli import credentials
from console.cli.app import app
from tests.conftest import token
from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, demand, report, rid

runner = CliRunner()


async def emergency(suite: Suite, home: Path, *args: str) -> Any:
    """Run one console command against the in-process gateway (in a thread: the command runs its own event loop)."""
    env = {"DATA_DIR": str(home), "EMERGENCY_GATEWAY": suite.addresses["gateway"], "COLUMNS": "400"}
    return await asyncio.to_thread(runner.invoke, app, list(args), env=env)


async def test_an_incident_from_the_console(suite: Suite, tmp_path: Path) -> None:
    credentials.save(token("operator", subject="operator-console"), tmp_path / "cli" / "token.json")
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1)])).incident
    bare = leak.name.removeprefix("incidents/")

    listed = await emergency(suite, tmp_path, "incidents", "--state", "reported")
    assert listed.exit_code == 0, listed.output
    assert leak.name in listed.output  # the whole id, never cut
    bad_state = await emergency(suite, tmp_path, "incidents", "--state", "burning")
    assert bad_state.exit_code == 2 and "REPORTED, VERIFIED, DISPATCHING, RESPONDING, CONTAINED, CLOSED, CANCELLED" in bad_state.output
    assert "Traceback" not in bad_state.output

    verified = await emergency(suite, tmp_path, "verify", bare, "--note", "confirmed by the plant")
    assert verified.exit_code == 0, verified.output
    assert f"{leak.name} verified: VERIFIED" in verified.output and f"version {leak.version + 1}" in verified.output
    bad_level = await emergency(suite, tmp_path, "severity", bare, "V", "--reason", "worse")
    assert bad_level.exit_code == 2 and "I, II, III, IV" in bad_level.output
    raised = await emergency(suite, tmp_path, "severity", leak.name, "i", "--reason", "cloud reaching the road")
    assert raised.exit_code == 0 and "level I" in raised.output, raised.output

    await suite.gateway.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=[leak.name]), metadata=OPERATOR)
    on_scene = await emergency(suite, tmp_path, "on-scene", bare)
    assert on_scene.exit_code == 0 and "1 of 1 unit(s) moved to ON_SCENE" in on_scene.output, on_scene.output
    assert (await emergency(suite, tmp_path, "contain", bare)).exit_code == 0
    closed = await emergency(suite, tmp_path, "close", bare, "--outcome", "valve replaced", "--units-available")
    assert closed.exit_code == 0 and f"{leak.name} closed: CLOSED" in closed.output and "afterActionReports/" in closed.output, closed.output
    shown = await emergency(suite, tmp_path, "show", leak.name)
    assert shown.exit_code == 0, shown.output
    for step in ("CREATED", "VERIFY", "SEVERITY", "CONFIRMED", "UNIT_ON_SCENE", "MARK_CONTAINED", "CLOSE", "UNIT_AVAILABLE", "operator-console"):
        assert step in shown.output, step
    again = await emergency(suite, tmp_path, "close", bare, "--outcome", "twice")
    assert again.exit_code == 1 and "FAILED_PRECONDITION" in again.output and "Traceback" not in again.output

    park = await suite.gateway.GetParkInventory(gpb.GetParkInventoryRequest(park="parks/xiagang"), metadata=OPERATOR)
    foam = next(s for s in park.stocks if s.unit_of_measure == "L")
    received = await emergency(suite, tmp_path, "stock", "adjust", foam.name, "--kind", "receipt", "--delta", "1,000,000", "--reason", "delivery note 7731")
    assert received.exit_code == 0 and "1,000,000 L booked" in received.output, received.output
    bad_kind = await emergency(suite, tmp_path, "stock", "adjust", foam.name, "--kind", "gift", "--delta", "5", "--reason", "x")
    assert bad_kind.exit_code == 2 and "RECEIPT, CORRECTION, LOSS" in bad_kind.output

    unit = next(u for u in park.units if u.state == rpb.Unit.STATE_AVAILABLE)
    short = unit.name.removeprefix("parks/").replace("/units/", "/")
    out = await emergency(suite, tmp_path, "unit", "out-of-service", short, "--reason", "pump failure")
    assert out.exit_code == 0 and "OUT_OF_SERVICE" in out.output, out.output
    assert (await emergency(suite, tmp_path, "unit", "in-service", unit.name)).exit_code == 0
    inventory = await emergency(suite, tmp_path, "inventory", "xiagang")
    assert inventory.exit_code == 0 and unit.name in inventory.output
    for command in (("scenarios",), ("drills",)):
        assert (await emergency(suite, tmp_path, *command)).exit_code == 0

    watched = await emergency(suite, tmp_path, "watch", "--from-start", "--incidents-only", "--limit", "3")
    assert watched.exit_code == 0, watched.output
    lines = [line for line in watched.output.splitlines() if " incident." in line and "->" in line]
    assert len(lines) == 3 and all("“" in line and "->" in line for line in lines), watched.output


def test_an_unknown_kind_or_level_in_a_report_lists_the_allowed_values(tmp_path: Path) -> None:
    credentials.save(token("operator"), tmp_path / "cli" / "token.json")
    env = {"DATA_DIR": str(tmp_path), "EMERGENCY_GATEWAY": "127.0.0.1:1"}
    kind = runner.invoke(app, ["report", "--title", "Smoke", "--lat", "31.9", "--lon", "120.2", "--kind", "BURNING"], env=env)
    assert kind.exit_code == 2 and "TOXIC_GAS_LEAK" in kind.output and "Traceback" not in kind.output
    level = runner.invoke(app, ["report", "--title", "Smoke", "--lat", "31.9", "--lon", "120.2", "--kind", "fire", "--severity", "V"], env=env)
    assert level.exit_code == 2 and "I, II, III, IV" in level.output
