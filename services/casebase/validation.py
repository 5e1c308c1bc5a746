"""Problems and field violations shared by every request of the case base: names, ids, output-only fields, merged per field."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from services.casebase.models import INJECT_TYPES
from services.common.errors import FieldViolation, invalid_argument

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


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


def raise_if(violations: list[FieldViolation]) -> None:
    """INVALID_ARGUMENT with one violation per bad field, if anything is wrong."""
    merged: dict[str, list[str]] = {}
    for v in violations:
        messages = merged.setdefault(v.field, [])
        if v.description not in messages:
            messages.append(v.description)
    if merged:
        raise invalid_argument([FieldViolation(field, "; ".join(messages)) for field, messages in merged.items()])


def name_violations(name: str, collection: str, field: str = "name") -> list[FieldViolation]:
    """A resource name must be "{collection}/{id}"."""
    prefix, _, resource_id = name.partition("/")
    return [] if prefix == collection and ID.match(resource_id) else [FieldViolation(field, f"must be {collection}/{{id}}")]


def parse_name(name: str, collection: str, field: str = "name") -> str:
    """The id in "{collection}/{id}", or INVALID_ARGUMENT."""
    raise_if(name_violations(name, collection, field))
    return name.partition("/")[2]


def id_violations(field: str, value: str) -> list[FieldViolation]:
    """An optional id of lowercase letters, digits and hyphens."""
    return (
        [] if not value or ID.match(value) else [FieldViolation(field, "lowercase letters, digits and hyphens (at most 63), starting with a letter or digit")]
    )


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
