"""Fixtures for case-base tests: the shipped library, its index and a valid scenario upload."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from services.casebase.library import SCENARIOS_DIR, CaseLibrary
from services.casebase.retrieval import CaseIndex

_BASE_SCENARIO = yaml.safe_load((SCENARIOS_DIR / "chlorine-ammonia-twin-release.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def library() -> CaseLibrary:
    """The shipped accident-case library."""
    return CaseLibrary.shipped()


@pytest.fixture(scope="session")
def index(library: CaseLibrary) -> CaseIndex:
    """Retrieval index over the shipped library with default weights."""
    return CaseIndex(library.cases())


@pytest.fixture()
def upload() -> dict[str, Any]:
    """A fresh copy of a valid scenario upload that tests may break."""
    return copy.deepcopy(_BASE_SCENARIO)
