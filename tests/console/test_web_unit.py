"""The web application's own unit tests (Vitest) and type check, run from the one test command."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.console.browser import WEB


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["npm", *args], cwd=WEB, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def node_modules() -> None:
    """npm ci from the committed lockfile when the packages are missing."""
    if shutil.which("npm") is None:
        pytest.fail("npm is missing: the console's tests need Node.js (apt-get install nodejs npm)")
    if not (WEB / "node_modules" / ".bin" / "vitest").exists():
        result = _npm("ci", "--no-audit", "--no-fund")
        assert result.returncode == 0, result.stdout + result.stderr


def test_vitest_suite_passes(node_modules: None) -> None:
    result = subprocess.run(["npx", "vitest", "run", "--reporter=dot"], cwd=WEB, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout


def test_typescript_type_checks(node_modules: None) -> None:
    result = subprocess.run(["npx", "tsc", "--noEmit"], cwd=WEB, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
