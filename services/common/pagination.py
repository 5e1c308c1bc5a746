"""Paging of list calls: page sizes, and opaque page tokens bound to the filters they were issued for.

`open_page` reads a request's page size and token into a `Page`; the store fetches `page.limit` rows
after `page.after` and `page.cut` returns the page and the next token. The functions below it are the
pieces it is made of; `fingerprint` / `encode_token` / `decode_token` are the keyset form of the same
tokens (a list key bound to a query string).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from services.common.errors import FieldViolation, invalid_argument

T = TypeVar("T")
FOREIGN_TOKEN = "not a token from this query's previous page"


def filter_fingerprint(filters: dict[str, Any]) -> str:
    """A short hash of a list call's filters."""
    return hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode_page_token(position: dict[str, Any], filters: dict[str, Any]) -> str:
    """Make a token that resumes after `position` for the same filters."""
    raw = json.dumps({"p": position, "f": filter_fingerprint(filters)}, sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, filters: dict[str, Any], field: str = "page_token") -> dict[str, Any] | None:
    """Read a token; empty means the first page; malformed or for other filters is INVALID_ARGUMENT."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        position, fingerprint = data["p"], data["f"]
        if not isinstance(position, dict):
            raise TypeError("position")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise invalid_argument([FieldViolation(field, "malformed page token; pass back next_page_token unchanged")]) from exc
    if fingerprint != filter_fingerprint(filters):
        raise invalid_argument([FieldViolation(field, "page token was issued for different filters")])
    return position


def page_size_violations(page_size: int, *, field: str = "page_size", maximum: int = 1000) -> list[FieldViolation]:
    """Negative page sizes are refused; larger than the maximum is clamped by the caller."""
    if page_size < 0:
        return [FieldViolation(field, f"must be >= 0 (0 for the default, at most {maximum})")]
    return []


def effective_page_size(page_size: int, *, default: int, maximum: int) -> int:
    """0 means the default; anything above the maximum is clamped."""
    return default if page_size == 0 else min(page_size, maximum)


def page_size(requested: int, *, default: int = 100, maximum: int = 1000) -> int:
    """Apply the default and the cap to a requested page size; refuse negatives."""
    if requested < 0:
        raise invalid_argument(page_size_violations(requested, maximum=maximum))
    return effective_page_size(requested, default=default, maximum=maximum)


def fingerprint(*parts: Any) -> str:
    """A short hash of the query a keyset token belongs to."""
    return filter_fingerprint({"parts": list(parts)})


def encode_token(key: list[Any], query: str) -> str:
    """A keyset token: the last key of a page, bound to the query fingerprint."""
    return encode_page_token({"k": key}, {"q": query})


def decode_token(token: str, query: str, key_length: int) -> list[Any] | None:
    """The key after which the next page starts (None for the first page); a bad or foreign token is INVALID_ARGUMENT."""
    position = decode_page_token(token, {"q": query})
    if position is None:
        return None
    key = position.get("k")
    if not isinstance(key, list) or len(key) != key_length:
        raise invalid_argument([FieldViolation("page_token", FOREIGN_TOKEN)])
    return key


@dataclass(frozen=True)
class Page:
    """One page of a list call: how many rows, after which position, for which filters."""

    size: int
    after: dict[str, Any] | None
    filters: dict[str, Any]

    @property
    def limit(self) -> int:
        """Rows to fetch: one more than the page, which tells whether another page follows."""
        return self.size + 1

    def cut(self, rows: Sequence[T], position: Callable[[T], dict[str, Any]]) -> tuple[list[T], str]:
        """The page of the rows fetched and the next page's token ('' after the last page); `position` keys a row."""
        page = list(rows[: self.size])
        token = encode_page_token(position(page[-1]), self.filters) if len(rows) > self.size and page else ""
        return page, token


def open_page(
    token: str,
    size: int,
    filters: Mapping[str, Any],
    *,
    default: int = 100,
    maximum: int = 1000,
    keys: Sequence[str] = (),
    token_field: str = "page_token",
    size_field: str = "page_size",
) -> Page:
    """A request's page: size 0 is the default, above the maximum is clamped, negative is INVALID_ARGUMENT; so is a
    token that is malformed, was issued for other filters or (with `keys`) does not hold exactly those keys."""
    if size < 0:
        raise invalid_argument(page_size_violations(size, field=size_field, maximum=maximum))
    wanted = dict(filters)
    after = decode_page_token(token, wanted, token_field)
    if after is not None and keys and sorted(after) != sorted(keys):
        raise invalid_argument([FieldViolation(token_field, FOREIGN_TOKEN)])
    return Page(effective_page_size(size, default=default, maximum=maximum), after, wanted)
