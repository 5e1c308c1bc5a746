"""SSE event ids: the position in every event stream at once, so Last-Event-ID resumes all of them.

A stream entry id is known only once an event of that stream has passed. Until then the position is the
moment the browser connected ("@<ms>"): reading resumes from an entry known to be older and skips what
happened before that moment (see RecentPositions).
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


class RecentPositions:
    """Stream entries this server has passed on lately, with their event times, shared by every connection.

    A connection starting at a moment reads each stream from the last entry known to be older than that moment
    (by a margin for commits that reach the stream out of time order) and skips events from before the moment, so it
    misses nothing even while the gateway is slow to start its stream; with no such entry it reads the stream's history.
    """

    MARGIN_MS = 5000

    def __init__(self, keep: int = 512) -> None:
        self._keep = keep
        self._entries: dict[str, list[tuple[int, str]]] = {}

    def observe(self, stream: str, entry_id: str, time_ms: int) -> None:
        """Remember an entry that passed."""
        entries = self._entries.setdefault(stream, [])
        entries.append((time_ms, entry_id))
        if len(entries) > 2 * self._keep:
            del entries[: len(entries) - self._keep]

    def start_before(self, stream: str, moment: int) -> str | None:
        """The newest remembered entry older than the moment (less the margin); None if there is none."""
        limit = moment - self.MARGIN_MS
        best: tuple[int, int, str] | None = None
        for time_ms, entry_id in self._entries.get(stream, []):
            if time_ms < limit:
                key = tuple(int(part) for part in entry_id.split("-"))
                if best is None or key > best[:2]:
                    best = (key[0], key[1], entry_id)
        return best[2] if best else None
