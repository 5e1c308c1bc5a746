"""SSE event ids: the position in every event stream at once, so Last-Event-ID resumes all of them.

A stream entry id is known only once an event of that stream has passed. Until then the position is the
moment the browser connected ("@<ms>"): a resume reads such a stream from its start and skips what happened
before that moment, so a quiet stream costs a history read only on a resume, never on a fresh connect.
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


def after_ids(positions: dict[str, str]) -> list[str]:
    """The WatchEvents after_ids for the streams whose entry id is known."""
    return [f"{stream}={entry}" for stream, entry in positions.items() if moment_ms(entry) is None]


def needs_history(positions: dict[str, str]) -> bool:
    """True when some stream must be read from its start (its entry id is not known)."""
    return any(moment_ms(entry) is not None for entry in positions.values())
