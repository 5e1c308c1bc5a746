"""Field checks every service's validation shares: free-text fields within their lengths."""

from __future__ import annotations

from services.common.errors import FieldViolation


def text_violations(field: str, value: str, *, maximum: int, required: bool = False, show_length: bool = True) -> list[FieldViolation]:
    """A violation when a text is blank but required, or longer than `maximum` characters (with its length, if `show_length`)."""
    if required and not value.strip():
        return [FieldViolation(field, "required")]
    if len(value) > maximum:
        got = f" (got {len(value)})" if show_length else ""
        return [FieldViolation(field, f"at most {maximum} characters{got}")]
    return []
