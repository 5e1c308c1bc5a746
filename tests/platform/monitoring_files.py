"""Reading the committed monitoring files: Prometheus config and rules, Grafana provisioning and dashboards."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
# Grafana's variables, replaced by what they stand for so the expressions are plain PromQL.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$job": ".*"}
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def load_yaml(path: Path) -> Any:
    """A YAML file."""
    return yaml.safe_load(path.read_text())


def dashboard(path: Path) -> dict[str, Any]:
    """A dashboard's JSON model."""
    model: dict[str, Any] = json.loads(path.read_text())
    return model


def alert_rules() -> list[dict[str, Any]]:
    """Every alerting rule."""
    return [rule for group in load_yaml(PROMETHEUS / "alerts.yml")["groups"] for rule in group["rules"]]


def plain_promql(expr: str) -> str:
    """A dashboard expression with Grafana's variables replaced."""
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def dashboard_expressions() -> dict[str, str]:
    """Every dashboard query as plain PromQL, keyed by 'dashboard / panel / refId'."""
    found = {}
    for path in DASHBOARDS:
        model = dashboard(path)
        for panel in model["panels"]:
            for target in panel.get("targets", []):
                found[f"{model['uid']} / {panel['title']} / {target['refId']}"] = plain_promql(target["expr"])
    return found


def names_in(expr: str) -> set[str]:
    """Identifiers in a PromQL expression, with string literals and label matchers' values removed."""
    return set(_NAME.findall(re.sub(r'"[^"]*"', "", expr)))
