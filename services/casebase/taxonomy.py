"""Hazard taxonomy: graded similarity of hazard classes, substances, accident kinds and park kinds."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from services.casebase.vocabulary import AccidentKind, HazardClass
from services.common.catalogue import ParkKind

T = TypeVar("T")
H = HazardClass
K = AccidentKind
P = ParkKind

# Affinities between hazard classes beyond "same class, other division".
_HAZARD_AFFINITY: dict[frozenset[HazardClass], float] = {
    frozenset({H.C2_3, H.C6_1}): 0.7,  # both acutely toxic by inhalation or contact
    frozenset({H.C2_1, H.C3}): 0.6,  # flammable vapour behaves like flammable gas once released
    frozenset({H.C2_3, H.C8}): 0.5,  # chlorine, ammonia and HF are toxic and corrosive
    frozenset({H.C6_1, H.C8}): 0.4,
    frozenset({H.C3, H.C4_1}): 0.3,
    frozenset({H.C3, H.C6_1}): 0.3,
    frozenset({H.C2_1, H.C4_1}): 0.3,
    frozenset({H.C4_2, H.C5_2}): 0.4,  # self-heating and self-accelerating decomposition
    frozenset({H.C4_1, H.C5_2}): 0.5,
}
_EXPLOSIVES = [h for h in HazardClass if h.main_class == "1"]
for _e in _EXPLOSIVES:
    _HAZARD_AFFINITY[frozenset({_e, H.C5_1})] = 0.6  # ammonium nitrate and chlorates detonate
    _HAZARD_AFFINITY[frozenset({_e, H.C4_1})] = 0.4
    _HAZARD_AFFINITY[frozenset({_e, H.C5_2})] = 0.4
    _HAZARD_AFFINITY[frozenset({_e, H.C4_2})] = 0.3
_HAZARD_AFFINITY[frozenset({H.C5_1, H.C4_2})] = 0.3


def hazard_similarity(a: HazardClass, b: HazardClass) -> float:
    """Similarity in [0, 1]: 1 same division, 0.6-0.8 same class, affinities, else 0.1."""
    if a == b:
        return 1.0
    if (s := _HAZARD_AFFINITY.get(frozenset({a, b}))) is not None:
        return s
    if a.main_class == b.main_class:
        return 0.8 if a.main_class == "1" else 0.6
    if H.C9 in (a, b):
        return 0.2
    return 0.1


_KIND_AFFINITY: dict[frozenset[AccidentKind], float] = {
    frozenset({K.FIRE, K.EXPLOSION}): 0.7,
    frozenset({K.TOXIC_GAS_LEAK, K.FLAMMABLE_GAS_LEAK}): 0.6,
    frozenset({K.CHEMICAL_SPILL, K.WATER_POLLUTION}): 0.6,
    frozenset({K.RUNAWAY_REACTION, K.EXPLOSION}): 0.6,
    frozenset({K.FLAMMABLE_GAS_LEAK, K.EXPLOSION}): 0.5,
    frozenset({K.FLAMMABLE_GAS_LEAK, K.FIRE}): 0.4,
    frozenset({K.RUNAWAY_REACTION, K.FIRE}): 0.4,
    frozenset({K.CHEMICAL_SPILL, K.TOXIC_GAS_LEAK}): 0.4,
    frozenset({K.TRANSPORT_ACCIDENT, K.CHEMICAL_SPILL}): 0.4,
    frozenset({K.CHEMICAL_SPILL, K.FLAMMABLE_GAS_LEAK}): 0.3,
    frozenset({K.TRANSPORT_ACCIDENT, K.TOXIC_GAS_LEAK}): 0.3,
    frozenset({K.TRANSPORT_ACCIDENT, K.FLAMMABLE_GAS_LEAK}): 0.3,
    frozenset({K.TRANSPORT_ACCIDENT, K.FIRE}): 0.3,
    frozenset({K.TRANSPORT_ACCIDENT, K.EXPLOSION}): 0.3,
    frozenset({K.CONFINED_SPACE, K.TOXIC_GAS_LEAK}): 0.3,
    frozenset({K.STRUCTURAL_COLLAPSE, K.EXPLOSION}): 0.3,
    frozenset({K.WATER_POLLUTION, K.FIRE}): 0.2,
    frozenset({K.RUNAWAY_REACTION, K.TOXIC_GAS_LEAK}): 0.3,
}


def kind_similarity(a: AccidentKind, b: AccidentKind) -> float:
    """Similarity of two accident kinds: 1 equal, graded for related kinds, else 0.05."""
    if a == b:
        return 1.0
    return _KIND_AFFINITY.get(frozenset({a, b}), 0.05)


_PARK_AFFINITY: dict[frozenset[ParkKind], float] = {
    frozenset({P.PORT_AND_JETTIES, P.LOGISTICS}): 0.6,
    frozenset({P.STEEL, P.POWER}): 0.6,
    frozenset({P.SHIPYARD, P.PORT_AND_JETTIES}): 0.6,
    frozenset({P.CHEMICAL_PARK, P.PORT_AND_JETTIES}): 0.5,
    frozenset({P.CHEMICAL_PARK, P.LOGISTICS}): 0.5,
    frozenset({P.STEEL, P.SHIPYARD}): 0.4,
    frozenset({P.CHEMICAL_PARK, P.POWER}): 0.3,
    frozenset({P.CHEMICAL_PARK, P.HIGH_TECH}): 0.3,
}


def park_kind_similarity(a: ParkKind, b: ParkKind) -> float:
    """Similarity of two park kinds."""
    if a == b:
        return 1.0
    return _PARK_AFFINITY.get(frozenset({a, b}), 0.2)


# Substance families; members of one family behave alike for the response they need.
SUBSTANCE_GROUPS: dict[str, tuple[str, ...]] = {
    "inhalation-toxic gas": ("1017", "1005", "1053", "1064", "1076", "1079", "1052", "2480", "1051"),
    "liquefied flammable gas": ("1075", "1978", "1011", "1969", "1077", "1086", "1010", "1055", "1038", "1962", "1971", "1972", "1049"),
    "petroleum liquid": ("1267", "1203", "1268", "1202", "1223", "1863", "1145", "1114", "1307", "1294", "3295", "1993", "3256"),
    "oxidising salt": ("1942", "2067", "2071", "0222", "1495", "1467", "1486", "1498", "1490"),
    "toxic aromatic": ("1662", "1547", "1671", "2312", "2821"),
    "toxic metal or cyanide": ("1689", "1680", "1935", "2570", "1707", "2024", "2025"),
    "pesticide": ("2588", "2902", "2783", "2757", "2992", "2761"),
    "acid or alkali": ("1830", "1789", "2031", "1790", "1823", "1824", "3264", "3266"),
    "water-reactive metal": ("1428", "1415", "1423", "2257"),
}
GROUP_OF_UN: dict[str, str] = {un: g for g, members in SUBSTANCE_GROUPS.items() for un in members}

SAME_GROUP_SIMILARITY = 0.8
OTHER_SUBSTANCE_FACTOR = 0.5  # unrelated substances fall back to half their hazard similarity


def normalise_name(name: str) -> str:
    """Lower-case substance name with punctuation collapsed, used when no UN number is known."""
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def substance_key(un_number: str | None, name: str) -> str:
    """Identity of a substance: its UN number, else its normalised name."""
    return f"un:{un_number}" if un_number else f"name:{normalise_name(name)}"


def substance_similarity(a_key: str, a_class: HazardClass, b_key: str, b_class: HazardClass) -> tuple[float, str]:
    """Similarity of two substances with a short reason."""
    if a_key == b_key:
        return 1.0, "same substance"
    group_a = GROUP_OF_UN.get(a_key.removeprefix("un:"))
    if group_a is not None and group_a == GROUP_OF_UN.get(b_key.removeprefix("un:")):
        return SAME_GROUP_SIMILARITY, f"same family ({group_a})"
    return OTHER_SUBSTANCE_FACTOR * hazard_similarity(a_class, b_class), "different substance; by hazard class"


# Dense lookup tables for vectorised scoring.
HAZARD_INDEX: dict[HazardClass, int] = {h: i for i, h in enumerate(HazardClass)}
KIND_INDEX: dict[AccidentKind, int] = {k: i for i, k in enumerate(AccidentKind)}
PARK_INDEX: dict[ParkKind, int] = {p: i for i, p in enumerate(ParkKind)}


def _matrix(items: Sequence[T], fn: Callable[[T, T], float]) -> NDArray[np.float64]:
    m: NDArray[np.float64] = np.eye(len(items))
    for (i, a), (j, b) in combinations(enumerate(items), 2):
        m[i, j] = m[j, i] = fn(a, b)
    return m


HAZARD_MATRIX = _matrix(list(HazardClass), hazard_similarity)
KIND_MATRIX = _matrix(list(AccidentKind), kind_similarity)
PARK_MATRIX = _matrix(list(ParkKind), park_kind_similarity)
