"""SSE event ids: the position in every event stream at once, so Last-Event-ID resumes all of them.

A stream entry id is known only once an event of that stream has passed. Until then the position is the
moment the browser connected ("@<ms>"). Stream entry ids begin with the millisecond Redis appended them, so
reading starts from an id a margin older than that moment (for clock skew and commits relayed late) and skips
events from before the moment: nothing after it is missed, however slow the gateway is to start reading.
"""

from __future__ import annotations

import re

from gateway.events import STREAMS

ENTRY_ID = re.compile(r"^\d+-\d+$")
MOMENT = re.compile(r"^@\d+$")


def initial(now_ms: int) -> dict[str, str]:
    """Positions of a fresh connection: every stream from this moment on."""
    return {stream: f"@{now_ms}" for stream in STREAMS}


def encode(positions: dict[str, str]) -> str:
    """The SSE id: "stream=position" pairs joined by commas, in a fixed order."""
    return ",".join(f"{stream}={positions[stream]}" for stream in STREAMS if stream in positions)


def decode(text: str) -> dict[str, str] | None:
    """Positions from an SSE id; None when it is not one this server wrote (unknown stream, bad id, a stream missing)."""
    positions: dict[str, str] = {}
    for item in text.split(","):
        stream, sep, entry = item.strip().partition("=")
        if not sep or stream not in STREAMS or stream in positions or not (ENTRY_ID.match(entry) or MOMENT.match(entry)):
            return None
        positions[stream] = entry
    return positions if set(positions) == set(STREAMS) else None


def moment_ms(position: str) -> int | None:
    """The connection moment of a stream whose entry id is not known yet; None for a known entry id."""
    return int(position[1:]) if position.startswith("@") else None


MARGIN_MS = 5000


def after_ids(positions: dict[str, str]) -> list[str]:
    """The WatchEvents after_ids: each known entry id, or an id a margin before the connection moment."""
    after = []
    for stream, entry in positions.items():
        moment = moment_ms(entry)
        after.append(f"{stream}={entry}" if moment is None else f"{stream}={max(moment - MARGIN_MS, 0)}-0")
    return after
