"""Shared helpers for dispatch tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.dispatch.codec import request_from_dict
from services.dispatch.model import DispatchRequest

SCENARIOS = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


def load_scenario(path: Path) -> tuple[DispatchRequest, dict[str, Any]]:
    """Read a scenario file: the request and its expectations."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return request_from_dict(data), data.get("expect", {})


def with_options(request: DispatchRequest, **changes: Any) -> DispatchRequest:
    """Copy a request with some options changed."""
    return replace(request, options=replace(request.options, **changes))


@pytest.fixture
def scenario_dir() -> Path:
    """Folder of the scenario fixtures."""
    return SCENARIOS
