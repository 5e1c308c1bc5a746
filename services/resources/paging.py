"""Opaque keyset page tokens and page-size rules shared by every list call."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from services.common.errors import FieldViolation, invalid_argument

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size(requested: int, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """Apply the default and the cap to a requested page size; refuse negatives."""
    if requested < 0:
        raise invalid_argument([FieldViolation("page_size", "must not be negative")])
    if requested == 0:
        return default
    return min(requested, maximum)


def fingerprint(*parts: Any) -> str:
    """A short hash of the query a token belongs to, so a token cannot be replayed against another query."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode_token(key: list[Any], query: str) -> str:
    """Encode the last key of a page and the query fingerprint."""
    raw = json.dumps({"k": key, "q": query}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, query: str, key_length: int) -> list[Any] | None:
    """Return the key after which the next page starts (None for the first page), or refuse a bad token."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["k"]
        if data["q"] != query or not isinstance(key, list) or len(key) != key_length:
            raise ValueError("token belongs to another query")
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid_argument([FieldViolation("page_token", "not a token from this query's previous page")]) from exc
    return key
