"""Ctrl-C at any moment of `make run` stops everything without a traceback: during start-up, during seeding, and later."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.common.local import free_port

ROOT = Path(__file__).resolve().parents[2]
# Every process on a port of its own, so a suite already running on the defaults is never touched.
SERVICES = ("gateway", "incident", "resources", "casebase", "dispatch", "alarms", "console")


def listening(port: int) -> bool:
    """Whether something accepts connections on the port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("moment", ["starting", "seeding", "running"])
def test_ctrl_c_stops_the_suite_cleanly(tmp_path: Path, redis_url: str, moment: str) -> None:
    ports = {f"{name.upper()}_PORT": str(free_port()) for name in SERVICES}
    env = {**os.environ, **ports, "REDIS_URL": redis_url, "COLUMNS": "200", "MQTT_CLIENT_ID": f"interrupt-test-{ports['ALARMS_PORT']}"}
    env.pop("DATABASE_URL", None)
    data = tmp_path / "data"
    output = tmp_path / "launcher.out"
    with output.open("wb") as sink:
        # A session of its own, like a terminal's foreground job: Ctrl-C is SIGINT to the whole process group.
        launcher = subprocess.Popen(
            [sys.executable, "-m", "services.launcher", "--data-dir", str(data), "--startup-timeout-s", "120"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        marker = {"starting": "", "seeding": "healthy in", "running": "press Ctrl-C"}[moment]
        deadline = time.monotonic() + 180
        while marker and marker not in output.read_text(errors="replace"):
            assert launcher.poll() is None, output.read_text(errors="replace")
            assert time.monotonic() < deadline, output.read_text(errors="replace")
            time.sleep(0.05)
        if moment == "starting":
            time.sleep(1.0)
        os.killpg(launcher.pid, signal.SIGINT)
        launcher.wait(timeout=120)
    text = output.read_text(errors="replace")
    logs = "".join(p.read_text(errors="replace") for p in (data / "logs").glob("*.log")) if (data / "logs").exists() else ""
    assert "Traceback" not in text and "Traceback" not in logs, text + logs
    assert "stopped" in text, text
    assert not [name for name in SERVICES if listening(int(ports[f"{name.upper()}_PORT"]))]
