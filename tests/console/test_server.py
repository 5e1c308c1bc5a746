"""The console's HTTP server against the real suite: the generic API, status mapping, auth and SSE resume."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from console.server import positions
from console.server.errors import HTTP_STATUS
from console.server.methods import unary_methods
from services.common.auth import Role
from tests.conftest import token
from tests.console.harness import ConsoleServer
from tests.gateway.conftest import Suite

OPERATOR = {"Authorization": f"Bearer {token(Role.OPERATOR, subject='operator-console')}"}
VIEWER = {"Authorization": f"Bearer {token(Role.VIEWER)}"}

CHLORINE = {
    "title": "Chlorine leak at the loading bay",
    "parkId": "xiagang",
    "location": {"point": {"latitude": 31.9352, "longitude": 120.2268}, "description": "loading bay"},
    "kind": "INCIDENT_KIND_TOXIC_GAS_LEAK",
    "severity": "SEVERITY_II",
    "reporter": "console test",
    "substance": {"name": "chlorine", "unNumber": "1017", "hazardClass": "2.3"},
}


def test_every_unary_gateway_method_is_exposed_and_no_stream() -> None:
    methods = unary_methods()
    for name in (
        "ReportIncident",
        "SetDemands",
        "ProposePlan",
        "CommitPlan",
        "GetSituation",
        "StartDrill",
        "GetDrill",
        "GetDrillReport",
        "ImportParkInventory",
    ):
        assert name in methods
    assert "WatchEvents" not in methods
    assert methods["ReportIncident"].takes_request_id and not methods["GetSituation"].takes_request_id


def test_every_canonical_code_has_an_http_status() -> None:
    import grpc

    assert set(HTTP_STATUS) == set(grpc.StatusCode)
    assert HTTP_STATUS[grpc.StatusCode.ABORTED] == 409 and HTTP_STATUS[grpc.StatusCode.UNAUTHENTICATED] == 401


def test_positions_round_trip_and_refuse_foreign_ids() -> None:
    start = positions.initial(1_700_000_000_000)
    assert positions.decode(positions.encode(start)) == start
    assert positions.decode("emergency.incident.events=1-0") is None  # streams missing
    assert positions.decode("nope=1-0") is None
    assert positions.decode(positions.encode(start).replace("@", "@x", 1)) is None
    margin_before = f"{1_700_000_000_000 - positions.MARGIN_MS}-0"
    assert positions.after_ids(start) == [f"{stream}={margin_before}" for stream in start]
    known = {**start, "emergency.incident.events": "12-1"}
    assert "emergency.incident.events=12-1" in positions.after_ids(known)
    assert positions.after_ids(positions.initial(1000)) == [f"{stream}=0-0" for stream in start]


async def report(client: httpx.AsyncClient, key: str, body: dict[str, Any] | None = None) -> httpx.Response:
    """ReportIncident through the console."""
    return await client.post("/api/v1/ReportIncident", json=body or {"incident": CHLORINE}, headers={**OPERATOR, "Idempotency-Key": key})


async def test_report_through_the_generic_api_is_idempotent(console: ConsoleServer) -> None:
    key = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as client:
        first = await report(client, key)
        assert first.status_code == 200, first.text
        again = await report(client, key)
        body = first.json()
        assert body["incident"]["name"].startswith("incidents/")
        assert again.json()["incident"]["name"] == body["incident"]["name"]
        assert body["recommendedDemands"] and body["similarCases"]
        other = await report(client, key, {"incident": {**CHLORINE, "title": "Another leak"}})
        assert other.status_code == 400
        assert any(d.get("reason") == "REQUEST_ID_REUSED" for d in other.json()["error"]["details"])


async def test_bad_input_is_400_with_field_violations(console: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as client:
        response = await report(client, uuid.uuid4().hex, {"incident": {**CHLORINE, "title": ""}})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["status"] == "INVALID_ARGUMENT"
        violations = [v for d in error["details"] if d["@type"].endswith("BadRequest") for v in d["fieldViolations"]]
        assert any("title" in v["field"] for v in violations)
        not_json = await client.post("/api/v1/GetSituation", content=b"{", headers=OPERATOR)
        assert not_json.status_code == 400 and not_json.json()["error"]["status"] == "INVALID_ARGUMENT"
        unknown_field = await client.post("/api/v1/GetSituation", json={"nope": 1}, headers=OPERATOR)
        assert unknown_field.status_code == 400
        mismatch = await client.post("/api/v1/ReportIncident", json={"requestId": "a", "incident": CHLORINE}, headers={**OPERATOR, "Idempotency-Key": "b"})
        assert mismatch.status_code == 400


async def test_unknown_and_streaming_methods_are_404(console: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as client:
        assert (await client.post("/api/v1/NoSuchMethod", json={}, headers=OPERATOR)).status_code == 404
        assert (await client.post("/api/v1/WatchEvents", json={}, headers=OPERATOR)).status_code == 404
        config = (await client.get("/api/v1/config")).json()
        assert "GetSituation" in config["methods"] and "WatchEvents" not in config["methods"]


async def test_auth_is_the_gateways_and_passes_through(console: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as client:
        missing = await client.post("/api/v1/GetSituation", json={})
        assert missing.status_code == 401 and missing.json()["error"]["status"] == "UNAUTHENTICATED"
        forged = await client.post("/api/v1/GetSituation", json={}, headers={"Authorization": "Bearer not-a-token"})
        assert forged.status_code == 401
        refused = await client.post("/api/v1/ReportIncident", json={"incident": CHLORINE}, headers={**VIEWER, "Idempotency-Key": uuid.uuid4().hex})
        assert refused.status_code == 403 and refused.json()["error"]["status"] == "PERMISSION_DENIED"
        assert (await client.post("/api/v1/GetSituation", json={}, headers=VIEWER)).status_code == 200
        sse = await client.get("/api/v1/events")
        assert sse.status_code == 401


async def test_development_login_mints_tokens_the_gateway_accepts(console: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as client:
        login = await client.post("/api/v1/login", json={"role": "park_officer", "parkId": "xiagang"})
        assert login.status_code == 200
        assert login.json()["role"] == "park_officer" and login.json()["parkId"] == "xiagang"
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        assert (await client.post("/api/v1/GetSituation", json={}, headers=headers)).status_code == 200
        assert (await client.post("/api/v1/login", json={"role": "king"})).status_code == 400
        assert (await client.post("/api/v1/login", json={"role": "park_officer"})).status_code == 400
        assert (await client.get("/api/v1/config")).json()["developmentLogin"] is True


async def test_outside_the_embedded_run_login_never_mints(suite: Suite) -> None:
    server = ConsoleServer(gateway=suite.addresses["gateway"], environment="production")
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            response = await client.post("/api/v1/login", json={"role": "operator"})
            assert response.status_code == 403
            assert response.json()["error"]["details"][0]["reason"] == "DEVELOPMENT_LOGIN_DISABLED"
            assert "token" not in response.json()
            assert (await client.get("/api/v1/config")).json()["developmentLogin"] is False
    finally:
        await server.stop()


class SseReader:
    """Reads SSE frames from a streaming response."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.heartbeats = 0

    async def next(self) -> dict[str, str]:
        """The next frame with data (comments count as heartbeats)."""
        fields: dict[str, str] = {}
        async for line in self.lines:
            if line == "":
                if fields.get("event") == "error":
                    raise AssertionError(f"the stream failed: {fields['data']}")
                if "data" in fields:
                    return fields
                continue
            if line.startswith(":"):
                self.heartbeats += 1
                continue
            name, _, value = line.partition(":")
            fields[name] = value.lstrip(" ")
        raise EOFError

    async def until(self, predicate: Any) -> dict[str, str]:
        """Frames until one matches."""
        while True:
            item = await self.next()
            if predicate(item):
                return item


def incident_created(name: str) -> Any:
    return lambda f: f.get("event") == "domain" and json.loads(f["data"])["type"] == "incident.created" and json.loads(f["data"])["subject"] == name


@pytest.mark.timeout(120)
async def test_sse_resumes_from_last_event_id_with_nothing_missed(console: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=httpx.Timeout(30, read=30)) as client:
        async with client.stream("GET", "/api/v1/events", headers=OPERATOR) as response:
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
            reader = SseReader(response)
            ready = await reader.next()
            assert ready["event"] == "ready" and positions.decode(ready["id"]) is not None
            first = (await report(client, uuid.uuid4().hex)).json()["incident"]["name"]
            seen = await reader.until(incident_created(first))
            last_id = seen["id"]
            while reader.heartbeats == 0:
                await _one_line(reader)
        missed = [(await report(client, uuid.uuid4().hex)).json()["incident"]["name"] for _ in range(2)]
        async with client.stream("GET", "/api/v1/events", headers={**OPERATOR, "Last-Event-ID": last_id}) as response:
            reader = SseReader(response)
            assert (await reader.next())["event"] == "ready"
            for name in missed:
                await reader.until(incident_created(name))


async def _one_line(reader: SseReader) -> None:
    """Consume one line (to count heartbeats while idle)."""
    line = await reader.lines.__anext__()
    if line.startswith(":"):
        reader.heartbeats += 1


async def test_sse_asks_for_a_resync_when_the_position_is_not_one(console: ConsoleServer) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=30) as client:
        for last_id in ("garbage", "emergency.incident.events=1-1", "emergency.nothing.events=1-1"):
            async with client.stream("GET", "/api/v1/events", headers={**OPERATOR, "Last-Event-ID": last_id}) as response:
                first = await SseReader(response).next()
                assert first["event"] == "resync"
                assert positions.decode(first["id"]) is not None


@pytest.mark.timeout(120)
async def test_sse_resume_of_a_quiet_stream_reads_its_history_and_skips_what_came_before(console: ConsoleServer) -> None:
    """A connection that saw no event yet resumes from its connect moment: later events arrive, earlier ones do not."""
    async with httpx.AsyncClient(base_url=console.url, timeout=httpx.Timeout(30, read=30)) as client:
        before = (await report(client, uuid.uuid4().hex)).json()["incident"]["name"]
        async with client.stream("GET", "/api/v1/events", headers=OPERATOR) as response:
            ready = await SseReader(response).next()
        after = (await report(client, uuid.uuid4().hex)).json()["incident"]["name"]
        async with client.stream("GET", "/api/v1/events", headers={**OPERATOR, "Last-Event-ID": ready["id"]}) as response:
            reader = SseReader(response)
            seen = await reader.until(lambda f: f.get("event") == "domain" and json.loads(f["data"])["type"] == "incident.created")
            assert json.loads(seen["data"])["subject"] == after != before


@pytest.mark.timeout(240)
async def test_more_event_streams_than_one_connection_carries_each_get_every_event(console: ConsoleServer) -> None:
    """Past the ~100 streams one HTTP/2 connection to the gateway carries, every browser still gets every event."""
    clients = 120
    limits = httpx.Limits(max_connections=clients + 5)
    async with httpx.AsyncClient(base_url=console.url, timeout=httpx.Timeout(120), limits=limits) as client:
        opened = 0
        all_open = asyncio.Event()
        name_box: list[str] = []

        async def listen() -> str:
            nonlocal opened
            async with client.stream("GET", "/api/v1/events", headers=OPERATOR) as response:
                reader = SseReader(response)
                assert (await reader.next())["event"] == "ready"
                opened += 1
                if opened == clients:
                    all_open.set()
                await all_open.wait()
                while not name_box:
                    await asyncio.sleep(0.01)
                frame = await reader.until(incident_created(name_box[0]))
                return str(json.loads(frame["data"])["subject"])

        # Warm the server's memory of the incident stream, as any earlier event does.
        async with client.stream("GET", "/api/v1/events", headers=OPERATOR) as response:
            reader = SseReader(response)
            await reader.next()
            warm = (await report(client, uuid.uuid4().hex)).json()["incident"]["name"]
            await reader.until(incident_created(warm))
        tasks = [asyncio.create_task(listen()) for _ in range(clients)]
        await asyncio.wait_for(all_open.wait(), 180)
        name_box.append((await report(client, uuid.uuid4().hex)).json()["incident"]["name"])
        done, pending = await asyncio.wait(tasks, timeout=180)
        for task in pending:
            task.cancel()
        assert len(done) == clients, f"{len(pending)} of {clients} streams did not receive the event"
        assert [task.result() for task in done] == [name_box[0]] * clients
