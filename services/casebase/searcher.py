"""The retrieval index over the stored cases, rebuilt whenever the library's revision moves."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from services.casebase import store
from services.casebase.library import CaseLibrary
from services.casebase.retrieval import CaseIndex, RetrievalWeights
from services.common.transactions import Transactions


@dataclass(frozen=True)
class LibrarySnapshot:
    """The cases of one library revision, indexed for search."""

    revision: int
    library: CaseLibrary
    index: CaseIndex
    added: dict[str, datetime] = field(default_factory=dict)


class CaseSearcher:
    """Hands out the snapshot of the current revision; a change made by any replica is seen by the next call."""

    def __init__(self, tx: Transactions, weights: RetrievalWeights | None = None) -> None:
        self._tx = tx
        self._weights = weights
        self._lock = threading.Lock()
        self._snapshot: LibrarySnapshot | None = None

    def snapshot(self) -> LibrarySnapshot:
        """The snapshot of the stored library's current revision (blocking: call off the event loop)."""
        revision = self._tx.read(store.library_revision)
        current = self._snapshot
        if current is not None and current.revision == revision:
            return current
        with self._lock:
            current = self._snapshot
            if current is not None and current.revision == revision:
                return current
            revision, stored = self._tx.read(store.library_state)
            library = CaseLibrary([case for case, _ in stored])
            self._snapshot = LibrarySnapshot(revision, library, CaseIndex(library.cases(), self._weights), {case.id: added for case, added in stored})
            return self._snapshot
