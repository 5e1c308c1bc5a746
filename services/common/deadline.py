"""The deadline of the request being handled, so outgoing calls can forward what is left of it."""

from __future__ import annotations

import contextvars
import time

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def set_deadline_from_remaining(remaining_s: float | None) -> contextvars.Token[float | None]:
    """Record the incoming call's deadline as an absolute monotonic time."""
    return _deadline.set(None if remaining_s is None else time.monotonic() + remaining_s)


def reset_deadline(token: contextvars.Token[float | None]) -> None:
    """Forget the deadline at the end of the request."""
    _deadline.reset(token)


def remaining_s() -> float | None:
    """Seconds left of the incoming call's deadline; None if the caller set none."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def outgoing_timeout(explicit_s: float | None, cap_s: float) -> float:
    """The timeout for an outgoing call: the smallest of what was asked, what is left, and the cap."""
    candidates = [cap_s]
    if explicit_s is not None:
        candidates.append(explicit_s)
    left = remaining_s()
    if left is not None:
        candidates.append(left)
    return max(min(candidates), 0.001)
