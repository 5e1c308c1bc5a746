"""Checks every request gets before its handler: decodable, within its size, and no value a database cannot hold."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from services.common.errors import FieldViolation, ServiceError, invalid_argument, resource_exhausted

MIB = 1024 * 1024
DEFAULT_MAX_REQUEST_BYTES = 4 * MIB
MAX_ID_CHARS = 100
MAX_NAME_CHARS = 200
MAX_TOKEN_CHARS = 2048
MAX_TEXT_CHARS = 65_536
MAX_VIOLATIONS = 20

# Resource names and references: path-like values with a database column of 200 characters at most.
NAME_FIELDS = frozenset({"name", "parent", "incident", "incidents", "scenario", "unit", "units", "stock", "stocks", "reservations", "proposal", "home_depot"})
TOKEN_FIELDS = frozenset({"page_token", "next_page_token"})
# Timestamp range of RFC 3339 (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z), which both databases hold.
MIN_TIMESTAMP_S = -62_135_596_800
MAX_TIMESTAMP_S = 253_402_300_799
MAX_DURATION_S = 315_576_000_000


@dataclass(frozen=True)
class Undecodable:
    """Stands in for a request whose bytes could not be parsed, so the handler can refuse it with a status."""

    size: int
    reason: str


def tolerant_deserializer(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """Wrap a request deserialiser so undecodable bytes become an Undecodable marker instead of an UNKNOWN error."""
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except (DecodeError, ValueError, RuntimeError, RecursionError, UnicodeDecodeError) as exc:
            return Undecodable(len(data), type(exc).__name__)

    return parse


def check_request(request: Any, max_bytes: int = DEFAULT_MAX_REQUEST_BYTES) -> None:
    """Raise INVALID_ARGUMENT (or RESOURCE_EXHAUSTED) for a request that must not reach a handler."""
    if isinstance(request, Undecodable):
        raise ServiceError(
            invalid_argument([]).code,
            "UNDECODABLE_REQUEST",
            f"the request body ({request.size} bytes) is not a valid message for this method ({request.reason})",
        )
    if not isinstance(request, Message):
        return
    size = request.ByteSize()
    if size > max_bytes:
        raise resource_exhausted(
            "REQUEST_TOO_LARGE", f"request of {size} bytes exceeds this method's limit of {max_bytes} bytes", {"limit_bytes": str(max_bytes)}
        )
    problems = _violations(request, "")
    if problems:
        raise invalid_argument(problems[:MAX_VIOLATIONS])


@functools.cache
def _limit_for(field_name: str) -> int:
    """The longest value a string field may hold, by what the field is."""
    if field_name in TOKEN_FIELDS:
        return MAX_TOKEN_CHARS
    if field_name.endswith(("_id", "_ids")) or field_name == "id":
        return MAX_ID_CHARS
    if field_name in NAME_FIELDS or (field_name.endswith(("_name", "_names")) and field_name != "display_name"):
        return MAX_NAME_CHARS
    return MAX_TEXT_CHARS


def _string_problem(value: str, limit: int) -> str:
    """What is wrong with one string value, or ''."""
    if "\x00" in value:
        return "must not contain NUL characters"
    if len(value) > limit:
        return f"at most {limit} characters (got {len(value)})"
    return ""


def _violations(message: Message, prefix: str) -> list[FieldViolation]:
    """Every value of a message that no store could hold (a plain loop: bulk imports carry 50,000 rows)."""
    out: list[FieldViolation] = []
    _walk(message, prefix, out)
    return out


def _walk(message: Message, prefix: str, out: list[FieldViolation]) -> None:
    """Check set fields depth first, appending violations to `out`."""
    special = _SPECIAL.get(message.DESCRIPTOR.full_name)
    if special is not None:
        out.extend(special(message, prefix))
        return
    for field, value in message.ListFields():
        kind = field.type
        if kind == STRING:
            limit = _limit_for(field.name)
            if field.is_repeated:
                for index, item in enumerate(value):
                    if len(item) > limit or "\x00" in item:
                        out.append(FieldViolation(f"{_join(prefix, field.name)}[{index}]", _string_problem(item, limit)))
            elif len(value) > limit or "\x00" in value:
                out.append(FieldViolation(_join(prefix, field.name), _string_problem(value, limit)))
        elif kind == MESSAGE:
            path = _join(prefix, field.name)
            if field.message_type is not None and field.message_type.GetOptions().map_entry:
                out.extend(_map_violations(field, value, path))
            elif field.is_repeated:
                for index, item in enumerate(value):
                    _walk(item, f"{path}[{index}]", out)
            else:
                _walk(value, path, out)
        if len(out) >= MAX_VIOLATIONS:
            return


def _join(prefix: str, name: str) -> str:
    """A field path."""
    return f"{prefix}.{name}" if prefix else name


def _duration_violations(message: Any, path: str) -> list[FieldViolation]:
    """A duration outside the range google.protobuf.Duration allows."""
    if abs(message.seconds) > MAX_DURATION_S or abs(message.nanos) > 999_999_999:
        return [FieldViolation(path or "duration", "duration out of range")]
    return []


def _map_violations(field: FieldDescriptor, value: Any, path: str) -> list[FieldViolation]:
    """Check the keys and values of a map field."""
    assert field.message_type is not None
    value_field = field.message_type.fields_by_name["value"]
    out: list[FieldViolation] = []
    for key, item in value.items():
        if isinstance(key, str) and (problem := _string_problem(key, MAX_NAME_CHARS)):
            out.append(FieldViolation(f"{path}[{key[:40]!r}]", f"key {problem}"))
        if value_field.type == STRING and (problem := _string_problem(item, MAX_TEXT_CHARS)):
            out.append(FieldViolation(f"{path}[{str(key)[:40]!r}]", problem))
        elif value_field.type == MESSAGE:
            _walk(item, f"{path}[{str(key)[:40]!r}]", out)
    return out


def _timestamp_violations(message: Any, path: str) -> list[FieldViolation]:
    """A timestamp outside what RFC 3339 (and so every database here) can represent."""
    if not MIN_TIMESTAMP_S <= message.seconds <= MAX_TIMESTAMP_S or not 0 <= message.nanos <= 999_999_999:
        return [FieldViolation(path or "timestamp", "timestamp out of range (0001-01-01 to 9999-12-31)")]
    return []


STRING = FieldDescriptor.TYPE_STRING
MESSAGE = FieldDescriptor.TYPE_MESSAGE
_SPECIAL: dict[str, Callable[[Any, str], list[FieldViolation]]] = {
    "google.protobuf.Timestamp": _timestamp_violations,
    "google.protobuf.Duration": _duration_violations,
}
