"""The committed Prometheus config, alert rules, Grafana provisioning and dashboards are valid, offline."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.common.settings import DEFAULT_METRICS_PORTS, SERVICE_NAMES
from tests.platform.monitoring_files import DASHBOARDS, GRAFANA, PROMETHEUS, ROOT, alert_rules, dashboard, dashboard_expressions, load_yaml

REQUIRED_ALERTS = {"OutboxRelayLagging", "UnknownOrInternalErrors", "ReportToCommitSlow", "ParkBelowReserve"}
PANEL_TYPES = {"timeseries", "stat", "bargauge", "table", "gauge", "text"}


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run promtool (installed from Debian's prometheus package); skip where it is not installed."""
    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus); .ci/run installs it")
    return subprocess.run(["promtool", *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


def test_promtool_accepts_the_config_and_the_rules() -> None:
    for args in (("check", "config", PROMETHEUS / "prometheus.yml"), ("check", "rules", PROMETHEUS / "alerts.yml")):
        result = promtool(*args)
        assert result.returncode == 0, result.stdout + result.stderr


def test_each_alert_fires_on_its_series_and_only_then() -> None:
    result = promtool("test", "rules", PROMETHEUS / "alerts-test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    tested = {case["alertname"] for test in load_yaml(PROMETHEUS / "alerts-test.yml")["tests"] for case in test["alert_rule_test"]}
    assert tested >= REQUIRED_ALERTS


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(dashboard_expressions().values())]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = promtool("check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_say_what_they_mean() -> None:
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= REQUIRED_ALERTS
    for rule in rules:
        assert rule["expr"].strip() and rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_prometheus_scrapes_every_service_on_its_metrics_port() -> None:
    config = load_yaml(PROMETHEUS / "prometheus.yml")
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets == {name: [f"{name}:{DEFAULT_METRICS_PORTS[name]}"] for name in SERVICE_NAMES}
    assert config["rule_files"] == ["alerts.yml"]
    compose = load_yaml(ROOT / "docker-compose.yml")["services"]
    for name in SERVICE_NAMES:
        assert int(compose[name]["environment"]["METRICS_PORT"]) == DEFAULT_METRICS_PORTS[name]
    mounts = " ".join(compose["prometheus"]["volumes"] + compose["grafana"]["volumes"])
    for path in ("deploy/prometheus/prometheus.yml", "deploy/prometheus/alerts.yml", "deploy/grafana/provisioning", "deploy/grafana/dashboards"):
        assert f"./{path}:" in mounts, path
    assert len(set(DEFAULT_METRICS_PORTS.values())) == len(DEFAULT_METRICS_PORTS)


def _check_panel(panel: dict[str, Any], datasource_uid: str, variables: set[str]) -> None:
    """One panel against the dashboard model's rules."""
    title = panel["title"]
    assert panel["type"] in PANEL_TYPES and title, title
    grid = panel["gridPos"]
    assert all(isinstance(grid[k], int) for k in ("h", "w", "x", "y")) and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, title
    assert panel["datasource"]["uid"] == datasource_uid, title
    ref_ids = [t["refId"] for t in panel["targets"]]
    assert ref_ids and len(set(ref_ids)) == len(ref_ids), title
    for target in panel["targets"]:
        assert target["expr"].strip() and target["datasource"]["uid"] == datasource_uid, title
        used = {name for name in re.findall(r"\$(\w+)", target["expr"]) if not name.startswith("__")}
        assert used <= variables, f"{title}: undefined variable {used - variables}"


def _overlap(a: dict[str, int], b: dict[str, int]) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def test_dashboards_follow_the_dashboard_model_and_use_the_provisioned_data_source() -> None:
    (source,) = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    (provider,) = load_yaml(GRAFANA / "provisioning" / "dashboards" / "dashboards.yml")["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"
    assert {dashboard(p)["title"] for p in DASHBOARDS} == {"Service health", "Command centre"}
    uids = set()
    for path in DASHBOARDS:
        model = dashboard(path)
        assert isinstance(model["schemaVersion"], int) and model["uid"] and model["title"], path.name
        uids.add(model["uid"])
        variables = {v["name"] for v in model["templating"]["list"]}
        ids = [p["id"] for p in model["panels"]]
        assert len(set(ids)) == len(ids), f"{path.name}: panel ids repeat"
        for panel in model["panels"]:
            _check_panel(panel, source["uid"], variables)
        for i, a in enumerate(model["panels"]):
            for b in model["panels"][i + 1 :]:
                assert not _overlap(a["gridPos"], b["gridPos"]), f"{path.name}: {a['title']} overlaps {b['title']}"
    assert len(uids) == len(DASHBOARDS)
