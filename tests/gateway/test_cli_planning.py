"""The console's report, propose and commit against the real suite: asking before accepting, overrides, what was sent."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from rich.console import Console
from typer.testing import CliRunner

from console.cli.app import app
from console.cli.override_args import parse_overrides
from console.cli.plan_views import explanation_text
from tests.gateway.conftest import Suite

runner = CliRunner()


def test_override_options_become_overrides_each_with_a_reason() -> None:
    overrides = parse_overrides(
        ["parks/xiagang/units/u-1=inc-abc#crew knows the plant"],
        ["parks/shengang/units/u-2"],
        ["xiagang:hazmat_team=0"],
        ["chengxi:xiagang:HAZMAT_TEAM,AMBULANCE"],
        "duty chief's call",
    )
    assert overrides.pins[0].incident == "incidents/inc-abc" and overrides.pins[0].reason == "crew knows the plant"
    assert overrides.exclusions[0].reason == "duty chief's call"
    assert (overrides.reserve_dips[0].resource_type, overrides.reserve_dips[0].minimum) == ("HAZMAT_TEAM", 0)
    assert list(overrides.mutual_aid[0].resource_types) == ["HAZMAT_TEAM", "AMBULANCE"]
    with pytest.raises(typer.BadParameter, match="say why"):
        parse_overrides([], ["parks/x/units/y"], [], [], "")
    with pytest.raises(typer.BadParameter, match="PARK:TYPE"):
        parse_overrides([], [], ["xiagang"], [], "r")


def test_the_explanation_says_each_alternative_in_words_never_a_negative_cost() -> None:
    alternatives = [
        dpb.Alternative(chosen_id="parks/xiagang/units/p1", note="no alternative"),
        dpb.Alternative(
            chosen_id="parks/xiagang/units/p2", alternative_id="parks/xiagang/units/p9", note="parks/xiagang/units/p9 is 3.0 min nearer but OUT_OF_SERVICE"
        ),
        dpb.Alternative(chosen_id="parks/xiagang/units/p3", alternative_id="parks/xiagang/units/p4", added_minutes=-2.5),
        dpb.Alternative(chosen_id="parks/xiagang/units/p5"),
    ]
    optimized = dpb.OptimizePlanResponse(explanations=[dpb.IncidentExplanation(incident_id="inc-1", summary="covered", alternatives=alternatives)])
    console = Console(width=300, record=True)
    console.print(explanation_text(optimized))
    text = console.export_text()
    assert "parks/xiagang/units/p1: no alternative" in text
    assert "parks/xiagang/units/p2: parks/xiagang/units/p9 is 3.0 min nearer but OUT_OF_SERVICE" in text
    assert "parks/xiagang/units/p3 rather than parks/xiagang/units/p4 (+0.0 min)" in text
    assert "parks/xiagang/units/p5: no alternative" in text
    assert "nothing" not in text and "-2.5" not in text


async def _invoke(args: list[str], env: dict[str, str], given: str = "") -> Any:
    return await asyncio.to_thread(runner.invoke, app, args, input=given, env=env)


async def test_report_asks_then_propose_with_a_pin_and_commit_twice(suite: Suite, tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "EMERGENCY_GATEWAY": suite.addresses["gateway"], "COLUMNS": "300"}
    assert (await _invoke(["login", "--subject", "duty-zhang"], env)).exit_code == 0
    where = ["--lat", "31.9262", "--lon", "120.1771", "--kind", "FIRE", "--severity", "IV", "--substance", "naphtha", "--un", "1268", "--class", "3"]
    declined = await _invoke(["report", "--title", "Pump-house fire", *where], env, "n\n")
    assert declined.exit_code == 0, declined.output
    assert "Set these" in declined.output and "demands not set" in declined.output and "uncapped" in declined.output
    reported = await _invoke(["report", "--title", "Pump-house fire", *where], env, "y\n")
    assert reported.exit_code == 0 and "Demands set" in reported.output, reported.output
    incident = re.findall(r"incidents/inc-[0-9a-f]+", reported.output)[0]
    assert "shengang" in reported.output  # the park came from the coordinates

    proposed = await _invoke(["propose", incident, "--exclude", "parks/xiagang/units/none-such", "--reason", "engine in the workshop"], env)
    assert proposed.exit_code == 0, proposed.output
    assert "Operator overrides and what they cost" in proposed.output and "engine in the workshop" in proposed.output
    assert re.search(r"\S: (no alternative|\S+ would add \d+\.\d min|\S+ is \d+\.\d min nearer but)", proposed.output), proposed.output
    assert "rather than nothing" not in proposed.output and not re.search(r"\(-\d", proposed.output)
    proposal = re.findall(r"emergency commit (proposals/\S+)", proposed.output)[0]
    first = await _invoke(["commit", proposal], env)
    assert first.exit_code == 0 and "Dispatched units" in first.output, first.output
    second = await _invoke(["commit", proposal], env)
    assert second.exit_code == 0 and "ALREADY COMMITTED" in second.output, second.output
