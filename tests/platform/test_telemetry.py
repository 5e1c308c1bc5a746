"""Tracing set-up from the OTEL_* variables: spans are recorded only when they go somewhere, trace ids always."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
from opentelemetry import trace
from services.common.telemetry import setup_tracing
setup_tracing("probe")
with trace.get_tracer("probe").start_as_current_span("work") as span:
    print(span.is_recording(), span.get_span_context().is_valid)
"""


@pytest.mark.parametrize(
    ("env", "recording"),
    [
        ({"OTEL_TRACES_EXPORTER": "none"}, "False"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "True"),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_TRACES_SAMPLER": "always_on"}, "True"),
    ],
    ids=["no-exporter", "console", "sampler-set"],
)
def test_spans_are_recorded_only_when_they_are_exported_or_asked_for(env: dict[str, str], recording: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | env
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.splitlines()[0] == f"{recording} True"  # a trace id for the logs either way
