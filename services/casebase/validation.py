"""Problems and field violations shared by every request of the case base: names, ids, output-only fields."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from services.casebase.models import INJECT_TYPES
from services.common.errors import FieldViolation
from services.common.names import collection

CASE_NAME = collection("cases", "id")
SCENARIO_NAME = collection("scenarios", "id")
REPORT_NAME = collection("afterActionReports", "id")
ID_HINT = "lowercase letters, digits and hyphens (at most 63), starting with a letter or digit"


@dataclass(frozen=True)
class Problem:
    """One problem of an upload: where (field path), what (code) and why (message)."""

    path: str
    code: str
    message: str


def format_path(loc: Sequence[int | str]) -> str:
    """Turn a location tuple into a field path like injects[3].targets[0].threshold."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(previous, int) and part in INJECT_TYPES:
            pass  # the discriminator tag pydantic puts into union locations
        else:
            out += f".{part}" if out else part
        previous = part
    return out


def shape_problem(err: Mapping[str, Any]) -> Problem:
    """A pydantic error as a problem at its field path."""
    path = format_path(err["loc"])
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        path = f"{path}.type"
    return Problem(path or "(root)", f"SHAPE_{str(err['type']).upper()}", str(err["msg"]))


def output_only_violations(message: Message, prefix: str, fields: Collection[str]) -> list[FieldViolation]:
    """Output-only fields must not be set by clients."""
    found = []
    for name in sorted(fields):
        descriptor = message.DESCRIPTOR.fields_by_name[name]
        if message.HasField(name) if descriptor.message_type is not None else bool(getattr(message, name)):
            found.append(FieldViolation(f"{prefix}.{name}", "output only; must not be set"))
    return found


def violations_of(prefix: str, problems: Iterable[Problem]) -> list[FieldViolation]:
    """Problems as field violations under a request field."""
    return [FieldViolation(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems]


def translated(problems: list[Problem], translate: Callable[[str], str]) -> list[Problem]:
    """Domain problems at message paths."""
    return [Problem(translate(p.path) if p.path != "(root)" else "", p.code, p.message) for p in problems]


def combined(conversion: list[Problem], domain: list[Problem]) -> list[Problem]:
    """Conversion problems, and the domain's except those at or above a field conversion already faulted."""

    def covered(path: str) -> bool:
        return any(c.path == path or c.path.startswith((f"{path}[", f"{path}.")) for c in conversion)

    return conversion + [p for p in domain if not covered(p.path)]
