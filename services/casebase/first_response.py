"""First-response caps per response level and hazard class, from data/first_response.yaml (documented there)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from services.casebase.vocabulary import HazardClass, ResourceType, Severity
from services.common.catalogue import ResourceKind

TABLE_PATH = Path(__file__).parent / "data" / "first_response.yaml"


class FirstResponseTable(BaseModel):
    """The base level IV assignment per type and the per-class factors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: dict[ResourceType, float] = Field(min_length=1)
    classes: dict[str, dict[ResourceType, float]] = Field(default_factory=dict)

    def factor(self, resource_type: ResourceType, hazard_classes: set[HazardClass]) -> tuple[float, str]:
        """The largest class factor for the type among the incident's classes (exact division first), and its class."""
        best, source = 1.0, ""
        for hazard in sorted(hazard_classes, key=lambda h: h.value):
            table = self.classes.get(hazard.value) or self.classes.get(hazard.main_class) or {}
            if resource_type in table and (not source or table[resource_type] > best):
                best, source = table[resource_type], hazard.value
        return best, source

    def cap(self, resource_type: ResourceType, severity: Severity, hazard_classes: set[HazardClass]) -> tuple[float, str] | None:
        """The cap for a type at a level with these hazard classes, and how it was reached; None if the type has no cap."""
        base = self.base.get(resource_type)
        if base is None:
            return None
        factor, hazard = self.factor(resource_type, hazard_classes)
        raw = base * severity.weight * factor
        spec = resource_type.spec
        if spec.kind is ResourceKind.UNIT:
            value = float(max(1, math.ceil(raw - 1e-9)))
        else:
            value = max(spec.rounding_step, math.ceil(raw / spec.rounding_step - 1e-9) * spec.rounding_step)
        where = f"level {severity.value}" + (f", class {hazard} x{factor:g}" if hazard else "")
        return value, f"first response {where}: at most {value:g} {spec.uom}"


@cache
def load_table(path: Path = TABLE_PATH) -> FirstResponseTable:
    """The first-response table (validated: every code a catalogue type, every class a UN class or division)."""
    with path.open(encoding="utf-8") as handle:
        table = FirstResponseTable.model_validate(yaml.safe_load(handle))
    known = {h.value for h in HazardClass} | {h.main_class for h in HazardClass}
    unknown = sorted(set(table.classes) - known)
    if unknown:
        raise ValueError(f"{path}: unknown hazard classes {unknown}")
    return table
