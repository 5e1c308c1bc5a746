"""50 concurrent updates of one incident: no lost update."""

from __future__ import annotations

import asyncio

import grpc
from emergency.incident.v1 import incident_service_pb2 as pb

from tests.incident.conftest import IncidentHarness
from tests.incident.helpers import OPERATOR, create, rid


async def test_fifty_concurrent_updates_lose_nothing(incident: IncidentHarness) -> None:
    inc = await create(incident.stub)
    stub = incident.stub

    async def writer(index: int) -> bool:
        """Read the current version and try one update based on it."""
        current = (await stub.GetIncident(pb.GetIncidentRequest(name=inc.name), metadata=OPERATOR)).incident
        request = pb.UpdateIncidentRequest(request_id=rid(), incident=pb.Incident(name=inc.name, description=f"update {index}"), version=current.version)
        request.update_mask.paths.append("description")
        try:
            await stub.UpdateIncident(request, metadata=OPERATOR)
            return True
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.ABORTED, error.details()
            return False

    outcomes = await asyncio.gather(*(writer(i) for i in range(50)))
    successes = sum(outcomes)
    final = (await stub.GetIncident(pb.GetIncidentRequest(name=inc.name), metadata=OPERATOR)).incident
    timeline = await stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=inc.name, page_size=1000), metadata=OPERATOR)
    updates = [e for e in timeline.timeline_entries if e.action == "UPDATED"]
    print(f"\n50 concurrent updates: {successes} succeeded, {50 - successes} aborted; final version {final.version}")
    assert successes >= 1
    assert final.version == 1 + successes
    assert len(updates) == successes
    assert [e.sequence for e in timeline.timeline_entries] == list(range(1, final.version + 1))
    assert final.description in {e.after["description"] for e in updates}
    assert timeline.timeline_entries[-1].after["description"] == final.description
