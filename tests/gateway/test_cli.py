"""The console's own parts: development tokens, the token file, and inventory files."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from console.cli.app import app
from console.cli.inventory_file import InventoryFileError, count_rows, read_inventory
from services.common.settings import DEVELOPMENT_JWT_SECRET

runner = CliRunner()


def test_login_mints_a_development_token_into_the_data_dir(tmp_path: Path) -> None:
    result = runner.invoke(app, ["login", "--role", "park_officer", "--subject", "officer-zhou", "--park", "ligang"], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "cli" / "token.json").read_text())
    claims = jwt.decode(saved["token"], DEVELOPMENT_JWT_SECRET, algorithms=["HS256"], issuer="emergency-command")
    assert claims["role"] == "park_officer" and claims["park"] == "ligang" and claims["sub"] == "officer-zhou"
    shown = runner.invoke(app, ["token"], env={"DATA_DIR": str(tmp_path)})
    assert "officer-zhou (park_officer, park ligang)" in shown.output


def test_login_is_refused_outside_the_embedded_run(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "ENVIRONMENT": "production", "JWT_SECRET": "a-real-production-secret-0123456789"}
    result = runner.invoke(app, ["login"], env=env)
    assert result.exit_code == 2
    assert "only minted in the embedded run" in result.output
    assert not (tmp_path / "cli" / "token.json").exists()


def test_token_set_stores_an_issued_token_and_rejects_garbage(tmp_path: Path) -> None:
    issued = jwt.encode({"sub": "duty-li", "role": "operator", "iat": 0, "exp": 10**10, "iss": "emergency-command"}, "x" * 32, algorithm="HS256")
    assert runner.invoke(app, ["token", "--set", issued], env={"DATA_DIR": str(tmp_path)}).exit_code == 0
    assert json.loads((tmp_path / "cli" / "token.json").read_text())["subject"] == "duty-li"
    assert runner.invoke(app, ["token", "--set", "not-a-jwt"], env={"DATA_DIR": str(tmp_path)}).exit_code == 2


def test_commands_need_a_token(tmp_path: Path) -> None:
    result = runner.invoke(app, ["situation", "--gateway", "127.0.0.1:1"], env={"DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "emergency login" in result.output


CSV = """kind,id,name,depot_kind,latitude,longitude,shared,resource_type,call_sign,home_depot,crew_size,capabilities,depot,on_hand,minimum_level,minimum
depot,lg-new,New station,FIRE_STATION,31.95,120.09,no,,,,,,,,,
unit,lg-new-pe-01,,,,,,PUMPER_ENGINE,LGN-PE01,lg-new,6,water;foam,,,,
stock,,,,,,,FOAM_AFFF,,,,,lg-new,4000,1200,
reserve_policy,,,,,,,PUMPER_ENGINE,,,,,,,,1
"""


def test_csv_inventory_becomes_one_import(tmp_path: Path) -> None:
    path = tmp_path / "ligang.csv"
    path.write_text(CSV)
    ticks: list[int] = []
    request = read_inventory(path, "ligang", "req-1", on_row=lambda: ticks.append(1))
    assert count_rows(path) == 4 and len(ticks) == 4
    assert request.parent == "parks/ligang" and request.request_id == "req-1"
    depot, unit, stock, policy = request.rows
    assert depot.depot.name == "parks/ligang/depots/lg-new" and depot.depot.kind == depot.depot.KIND_FIRE_STATION
    assert unit.unit.name == "parks/ligang/units/lg-new-pe-01" and list(unit.unit.capabilities) == ["water", "foam"] and unit.unit.crew_size == 6
    assert stock.stock.name == "parks/ligang/depots/lg-new/stocks/FOAM_AFFF" and stock.stock.on_hand == 4000
    assert policy.reserve_policy.park_id == "ligang" and policy.reserve_policy.minimum == 1


def test_every_bad_csv_row_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV.replace("FOAM_AFFF,,,,,lg-new,4000", "FOAM_AFFF,,,,,lg-new,lots").replace("unit,lg-new-pe-01", "unit,"))
    with pytest.raises(InventoryFileError, match=r"2 bad row\(s\)") as caught:
        read_inventory(path, "ligang", "req-2")
    assert [p.split(": ", 1)[0].rsplit("/", 1)[-1] for p in caught.value.problems] == ["bad.csv:3", "bad.csv:4"]
    assert "column 'on_hand' must be a number" in caught.value.problems[1]


def test_import_help_documents_the_format_and_the_example_parses() -> None:
    result = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for words in ("depot_kind", "reserve_policy", "examples/inventory-ligang.csv", "--upsert", "--dry-run"):
        assert words in result.output
    example = Path(__file__).resolve().parents[2] / "examples" / "inventory-ligang.csv"
    assert len(read_inventory(example, "ligang", "req-5").rows) == 8


def test_import_cli_lists_every_bad_row_without_calling_the_gateway(tmp_path: Path) -> None:
    runner.invoke(app, ["login"], env={"DATA_DIR": str(tmp_path)})
    path = tmp_path / "bad.csv"
    path.write_text(CSV.replace("LGN-PE01", "").replace("120.09", "east"))
    result = runner.invoke(app, ["import", str(path), "--park", "ligang", "--gateway", "127.0.0.1:1"], env={"DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 2
    assert "bad.csv:2" in result.output and "bad.csv:3" in result.output and "2 bad row(s)" in result.output


def test_json_inventory_rows_in_proto_json(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    rows = [
        {"unit": {"name": "parks/ligang/units/u1", "resourceType": "HAZMAT_TEAM", "callSign": "HZ1", "homeDepotId": "d1"}},
        {"reservePolicy": {"parkId": "ligang", "resourceType": "HAZMAT_TEAM", "minimum": 1}},
    ]
    path.write_text(json.dumps({"rows": rows}))
    request = read_inventory(path, "ligang", "req-3")
    assert [r.WhichOneof("item") for r in request.rows] == ["unit", "reserve_policy"]
    path.write_text(json.dumps([{"unit": {"noSuchField": 1}}]))
    with pytest.raises(InventoryFileError, match=r"1 bad row") as caught:
        read_inventory(path, "ligang", "req-4")
    assert "rows[0]" in caught.value.problems[0]
