"""Hypothesis strategies for any protobuf request, built from its descriptor: valid-looking, boundary and hostile values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

F = FieldDescriptor

# Names and codes that exist in the seeded suite, so some calls go deep instead of stopping at NOT_FOUND.
KNOWN_TEXT = [
    "",
    "xiagang",
    "shengang",
    "parks/xiagang",
    "parks/-",
    "parks/xiagang/depots/xg-fire-1",
    "parks/xiagang/units/xg-fire-1-pe-01",
    "parks/xiagang/depots/xg-fire-1/stocks/FOAM_AFFF",
    "incidents/inc-0",
    "exercises/drill-0",
    "drills/d-0",
    "scenarios/s-0",
    "cases/c-0",
    "HAZMAT_TEAM",
    "PUMPER_ENGINE",
    "FOAM_AFFF",
    "名字",
    "*",
]
# Values no store can hold; rarer than the rest, so that most requests get past the shared checks.
HOSTILE_TEXT = ["a\x00b", "x" * 300, "../../etc", "\ud7ff" * 3]
INT32 = [0, 1, -1, 2, 7, 100, 2**31 - 1, -(2**31)]
INT64 = [*INT32, 2**62, 2**63 - 1, -(2**63), 4611686018427387904]
UINT = [0, 1, 100, 2**32 - 1]

ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"
text = st.one_of(
    st.sampled_from(KNOWN_TEXT),
    st.sampled_from(KNOWN_TEXT),
    st.sampled_from(KNOWN_TEXT),
    st.text(alphabet=ID_ALPHABET, max_size=16),
    st.text(max_size=24),
    st.sampled_from(HOSTILE_TEXT),
)


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    """A strategy for one scalar value of the field's type."""
    kind = field.type
    if kind == F.TYPE_STRING:
        return st.uuids().map(str) if field.name == "request_id" else text
    if kind == F.TYPE_BYTES:
        return st.binary(max_size=16)
    if kind == F.TYPE_BOOL:
        return st.booleans()
    if kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        width: Literal[32, 64] = 64 if kind == F.TYPE_DOUBLE else 32
        return st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, 1e9, float("nan"), float("inf")]), st.floats(width=width))
    if kind == F.TYPE_ENUM:
        assert field.enum_type is not None
        return st.sampled_from([v.number for v in field.enum_type.values] + [999])
    if kind in (F.TYPE_INT64, F.TYPE_SINT64, F.TYPE_SFIXED64):
        return st.one_of(st.sampled_from(INT64), st.integers(-(2**63), 2**63 - 1))
    if kind in (F.TYPE_UINT32, F.TYPE_FIXED32):
        return st.sampled_from(UINT)
    if kind in (F.TYPE_UINT64, F.TYPE_FIXED64):
        return st.sampled_from([*UINT, 2**64 - 1])
    return st.one_of(st.sampled_from(INT32), st.integers(-(2**31), 2**31 - 1))


def message_strategy(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """A strategy for messages of the descriptor's type; fields present at random, nesting cut at depth 3."""
    cls = message_factory.GetMessageClass(descriptor)

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Message:
        message = cls()
        for field in descriptor.fields:
            if field.name != "request_id" and not draw(st.booleans()):
                continue
            if field.type == F.TYPE_MESSAGE:
                assert field.message_type is not None
                if depth >= 3:
                    continue
                if field.message_type.GetOptions().map_entry:
                    key_field = field.message_type.fields_by_name["key"]
                    value_field = field.message_type.fields_by_name["value"]
                    for _ in range(draw(st.integers(0, 2))):
                        key = draw(_scalar(key_field))
                        if value_field.type == F.TYPE_MESSAGE:
                            assert value_field.message_type is not None
                            getattr(message, field.name)[key].CopyFrom(draw(message_strategy(value_field.message_type, depth + 1)))
                        else:
                            getattr(message, field.name)[key] = draw(_scalar(value_field))
                    continue
                child = message_strategy(field.message_type, depth + 1)
                if field.is_repeated:
                    getattr(message, field.name).extend(draw(st.lists(child, max_size=3)))
                else:
                    getattr(message, field.name).CopyFrom(draw(child))
            elif field.is_repeated:
                getattr(message, field.name).extend(draw(st.lists(_scalar(field), max_size=3)))
            else:
                setattr(message, field.name, draw(_scalar(field)))
        return message

    return build()


def examples(descriptor: Descriptor, count: int) -> list[Message]:
    """`count` generated requests (derandomised: the same messages every run, so a failure reproduces)."""
    found: list[Message] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(message_strategy(descriptor))
    def collect(message: Message) -> None:
        found.append(message)

    collect()
    return found
