"""Codes of the case base: severities, accident kinds, hazard classes, and the resource types of the shared catalogue as an enum."""

from __future__ import annotations

from enum import EnumMeta, StrEnum
from typing import TYPE_CHECKING

from services.common.catalogue import ResourceType as CatalogueEntry
from services.common.catalogue import load_catalogue
from services.common.severity import SEVERITY_WEIGHTS


class Severity(StrEnum):
    """National response level; I is the most serious."""

    I = "I"  # noqa: E741 - the official level name
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def weight(self) -> int:
        """Dispatch weight of the level (I=8, II=4, III=2, IV=1)."""
        return _SEVERITY_WEIGHT[self]

    @property
    def rank(self) -> int:
        """Ordinal where larger is more serious (IV=1 .. I=4)."""
        return _SEVERITY_RANK[self]


_SEVERITY_WEIGHT = {level: int(SEVERITY_WEIGHTS[level.value]) for level in Severity}
_SEVERITY_RANK = {Severity.I: 4, Severity.II: 3, Severity.III: 2, Severity.IV: 1}


class AccidentKind(StrEnum):
    """Kind of incident or accident."""

    FIRE = "FIRE"
    EXPLOSION = "EXPLOSION"
    TOXIC_GAS_LEAK = "TOXIC_GAS_LEAK"
    FLAMMABLE_GAS_LEAK = "FLAMMABLE_GAS_LEAK"
    CHEMICAL_SPILL = "CHEMICAL_SPILL"
    WATER_POLLUTION = "WATER_POLLUTION"
    RUNAWAY_REACTION = "RUNAWAY_REACTION"
    CONFINED_SPACE = "CONFINED_SPACE"
    STRUCTURAL_COLLAPSE = "STRUCTURAL_COLLAPSE"
    TRANSPORT_ACCIDENT = "TRANSPORT_ACCIDENT"
    OTHER = "OTHER"


class HazardClass(StrEnum):
    """UN dangerous-goods class or division."""

    C1_1 = "1.1"
    C1_2 = "1.2"
    C1_3 = "1.3"
    C1_4 = "1.4"
    C1_5 = "1.5"
    C1_6 = "1.6"
    C2_1 = "2.1"
    C2_2 = "2.2"
    C2_3 = "2.3"
    C3 = "3"
    C4_1 = "4.1"
    C4_2 = "4.2"
    C4_3 = "4.3"
    C5_1 = "5.1"
    C5_2 = "5.2"
    C6_1 = "6.1"
    C7 = "7"
    C8 = "8"
    C9 = "9"

    @property
    def main_class(self) -> str:
        """The class number without the division ("2.3" -> "2")."""
        return self.value.split(".")[0]


class _CatalogueCode(StrEnum):
    """A resource-type code of the shared catalogue."""

    @property
    def spec(self) -> CatalogueEntry:
        """Catalogue entry of this type."""
        return RESOURCE_TYPES[self]  # type: ignore[index]


# The members are the catalogue's codes, made when the catalogue is loaded; mypy, which cannot see them, is told that
# every attribute of the class is one.
if TYPE_CHECKING:

    class _CodeMeta(EnumMeta):
        def __getattr__(cls, name: str) -> ResourceType: ...

    class ResourceType(_CatalogueCode, metaclass=_CodeMeta):
        """Resource-type catalogue code."""

else:
    ResourceType = _CatalogueCode("ResourceType", [(code, code) for code in load_catalogue().types], module=__name__)


CAPABILITY_TAGS: frozenset[str] = load_catalogue().capability_tags

RESOURCE_TYPES: dict[ResourceType, CatalogueEntry] = {ResourceType(code): entry for code, entry in load_catalogue().types.items()}
