"""Resource ids and names: the id rules, and names such as `parks/{park}/depots/{depot}` built and parsed.

Two id rules are in use: most ids (parks, depots, units, detectors, cases, scenarios, exercises) are
1-63 characters; incident and drill ids are 3-63. Resource-type codes are upper-case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from services.common.errors import FieldViolation, invalid_argument

ID = r"[a-z0-9][a-z0-9-]{0,62}"
LONG_ID = r"[a-z0-9][a-z0-9-]{2,62}"
TYPE_CODE = r"[A-Z][A-Z0-9_]{1,63}"
ID_PATTERN = re.compile(f"^{ID}$")
LONG_ID_PATTERN = re.compile(f"^{LONG_ID}$")
TYPE_CODE_PATTERN = re.compile(f"^{TYPE_CODE}$")
ID_RULE = "1-63 characters: lower-case letters, digits and '-', starting with a letter or digit"
LONG_ID_RULE = "3-63 characters: lower-case letters, digits and '-', starting with a letter or digit"

_SEGMENT = re.compile(r"\{(\w+)\}")


def is_id(value: str) -> bool:
    """Whether a value is a well-formed id (1-63 characters)."""
    return bool(ID_PATTERN.match(value))


def id_violations(field_path: str, value: str, *, required: bool = True, pattern: re.Pattern[str] = ID_PATTERN, rule: str = ID_RULE) -> list[FieldViolation]:
    """A violation when an id is missing (if required) or malformed."""
    if not value:
        return [FieldViolation(field_path, "required")] if required else []
    return [] if pattern.match(value) else [FieldViolation(field_path, rule)]


@dataclass(frozen=True)
class NamePattern:
    """A resource-name template such as `parks/{park}/units/{unit}`; each id matches `ID` unless given its own rule."""

    template: str
    rules: dict[str, str] = field(default_factory=dict)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """The names of the template's ids, in order."""
        return tuple(_SEGMENT.findall(self.template))

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The whole-name regular expression, one group per id."""
        parts = _SEGMENT.split(self.template)
        pattern = "".join(re.escape(p) if n % 2 == 0 else f"({self.rules.get(p, ID)})" for n, p in enumerate(parts))
        return re.compile(f"^{pattern}$")

    def format(self, *ids: str) -> str:
        """The name of the resource with these ids, in template order."""
        if len(ids) != len(self.ids):
            raise ValueError(f"{self.template} takes {len(self.ids)} ids, got {len(ids)}")
        return self.template.format(**dict(zip(self.ids, ids, strict=True)))

    def match(self, name: str) -> tuple[str, ...] | None:
        """The ids in a name, or None when it does not fit the template."""
        found = self.regex.match(name or "")
        return None if found is None else found.groups()

    def violations(self, name: str, field_path: str = "name") -> list[FieldViolation]:
        """A violation when the name does not fit the template."""
        return [] if self.match(name) is not None else [FieldViolation(field_path, f"must be {self.template}")]

    def parse(self, name: str, field_path: str = "name") -> tuple[str, ...]:
        """The ids in a name, or INVALID_ARGUMENT naming the field."""
        ids = self.match(name)
        if ids is None:
            raise invalid_argument(self.violations(name, field_path))
        return ids

    def parse_one(self, name: str, field_path: str = "name") -> str:
        """The id of a one-id name such as `incidents/{incident}`, or INVALID_ARGUMENT naming the field."""
        (ident,) = self.parse(name, field_path)
        return ident


def collection(plural: str, singular: str | None = None, rule: str = ID) -> NamePattern:
    """The pattern of a top-level name `{plural}/{id}`, e.g. collection("incidents", rule=LONG_ID)."""
    one = singular or plural.removesuffix("s")
    return NamePattern(f"{plural}/{{{one}}}", {one: rule})


def park_of(name: str) -> str:
    """The park id of a `parks/{park}/...` name, or empty."""
    parts = name.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "parks" else ""


PARK = NamePattern("parks/{park}")
DEPOT = NamePattern("parks/{park}/depots/{depot}")
UNIT = NamePattern("parks/{park}/units/{unit}")
STOCK = NamePattern("parks/{park}/depots/{depot}/stocks/{type}", {"type": TYPE_CODE})
DETECTOR = NamePattern("parks/{park}/detectors/{detector}")
RESERVE_POLICY = NamePattern("parks/{park}/reservePolicies/{type}", {"type": TYPE_CODE})
MUTUAL_AID = NamePattern("parks/{lender}/mutualAid/{borrower}")
INCIDENT = collection("incidents", rule=LONG_ID)
DRILL = collection("drills", rule=LONG_ID)
EXERCISE = collection("exercises")
CASE = collection("cases")
SCENARIO = collection("scenarios")
