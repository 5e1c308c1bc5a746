"""Loading the shipped accident-case and drill-scenario libraries from YAML (one file per entry)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from services.casebase.models import Case, Scenario
from services.casebase.validation import Problem
from services.casebase.validation_scenario import ScenarioInvalid, ValidationContext, validate_scenario

DATA_DIR = Path(__file__).parent / "data"
CASES_DIR = DATA_DIR / "cases"
SCENARIOS_DIR = DATA_DIR / "scenarios"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LibraryError(ValueError):
    """A shipped data file is invalid."""


def _documents(folder: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_LOADER)  # a safe loader, C-accelerated where available
        if not isinstance(data, dict):
            raise LibraryError(f"{path.name}: expected a mapping at the top level")
        if data.get("id") != path.stem:
            raise LibraryError(f"{path.name}: id {data.get('id')!r} does not match the file name")
        yield path, data


def load_cases(folder: Path = CASES_DIR) -> list[Case]:
    """All cases of a folder, sorted by id."""
    out = []
    for path, data in _documents(folder):
        try:
            out.append(Case.model_validate(data))
        except ValueError as exc:
            raise LibraryError(f"{path.name}: {exc}") from exc
    return out


def check_scenarios(folder: Path = SCENARIOS_DIR, context: ValidationContext | None = None) -> list[tuple[str, Scenario | None, list[Problem]]]:
    """Every scenario file of a folder validated as an upload would be: (file name, scenario or None, problems)."""
    return [(path.name, *validate_scenario(data, context)) for path, data in _documents(folder)]


def load_scenarios(folder: Path = SCENARIOS_DIR, context: ValidationContext | None = None) -> list[Scenario]:
    """All scenarios of a folder, each validated as an upload would be."""
    out = []
    for name, scenario, problems in check_scenarios(folder, context):
        if scenario is None:
            raise LibraryError(f"{name}: {ScenarioInvalid(problems)}")
        out.append(scenario)
    return out


class CaseLibrary:
    """The accident cases in memory, keyed by id; new cases can be added as responses close."""

    def __init__(self, cases: list[Case]) -> None:
        self._cases: dict[str, Case] = {}
        for case in cases:
            self.add(case)

    @classmethod
    def shipped(cls) -> CaseLibrary:
        """The library shipped with the service."""
        return cls(load_cases())

    def add(self, case: Case) -> None:
        """Add a case; ids are unique."""
        if case.id in self._cases:
            raise ValueError(f"case {case.id!r} already exists")
        self._cases[case.id] = case

    def get(self, case_id: str) -> Case:
        """The case with this id (KeyError if none)."""
        return self._cases[case_id]

    def cases(self) -> list[Case]:
        """All cases sorted by id."""
        return sorted(self._cases.values(), key=lambda c: c.id)

    def __len__(self) -> int:
        return len(self._cases)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._cases


def case_to_yaml(case: Case) -> str:
    """YAML text of a case in the shipped file layout."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    data["id"] = case.id
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
