"""Detectors as park assets: register, update, list, import (own park only), and the snapshot, over real gRPC on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb
from google.protobuf.field_mask_pb2 import FieldMask

from fixtures.resources.demo_detectors import demo_detectors
from services.resources.mapping_detectors import detector_to_pb
from tests.grpc_assertions import expect_error, field_violations

from .conftest import ResourcesHarness
from .grpc_harness import LIGANG_OFFICER, OPERATOR, SHENGANG_OFFICER, VIEWER, point, rid, seed_park


def chlorine_detector(**overrides: object) -> pb.Detector:
    """A valid chlorine detector at tank farm A."""
    fields: dict[str, object] = {
        "display_name": "Tank farm A north, Cl2",
        "kind": pb.Detector.KIND_TOXIC_GAS,
        "substance": common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3"),
        "position": point(31.96, 120.093),
        "pre_alarm_threshold": 0.5,
        "alarm_threshold": 1.0,
        "unit": "ppm",
        "area": "chlorine tank farm A",
    }
    fields.update(overrides)
    return pb.Detector(**fields)  # type: ignore[arg-type]


async def test_officer_registers_updates_and_lists_own_detectors(resources: ResourcesHarness) -> None:
    stub = resources.stub
    await seed_park(stub, "ligang", units=1, foam=0)
    created = (
        await stub.CreateDetector(
            pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id="cl2-01", detector=chlorine_detector()), metadata=LIGANG_OFFICER
        )
    ).detector
    assert created.name == "parks/ligang/detectors/cl2-01" and created.version == 1 and created.park_id == "ligang"
    assert created.substance.un_number == "1017"
    request = pb.UpdateDetectorRequest(
        request_id=rid(), detector=pb.Detector(name=created.name, alarm_threshold=3.0), update_mask=FieldMask(paths=["alarm_threshold"]), version=1
    )
    updated = (await stub.UpdateDetector(request, metadata=LIGANG_OFFICER)).detector
    assert updated.alarm_threshold == 3.0 and updated.pre_alarm_threshold == 0.5 and updated.version == 2
    listed = await stub.ListDetectors(pb.ListDetectorsRequest(parent="parks/-"), metadata=VIEWER)
    assert [d.name for d in listed.detectors] == [created.name]
    got = await stub.GetDetector(pb.GetDetectorRequest(name=created.name), metadata=VIEWER)
    assert got.detector == updated


async def test_other_park_officer_is_refused_and_nothing_changes(resources: ResourcesHarness) -> None:
    stub = resources.stub
    await seed_park(stub, "ligang", units=1, foam=0)
    call = stub.CreateDetector(
        pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id="cl2-01", detector=chlorine_detector()), metadata=SHENGANG_OFFICER
    )
    await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)
    imported = pb.ImportDetectorsRequest(request_id=rid(), parent="parks/ligang", detectors=[chlorine_detector(name="parks/ligang/detectors/x-1")])
    await expect_error(stub.ImportDetectors(imported, metadata=SHENGANG_OFFICER), grpc.StatusCode.PERMISSION_DENIED)
    await expect_error(stub.ImportDetectors(imported, metadata=VIEWER), grpc.StatusCode.PERMISSION_DENIED)
    assert not (await stub.ListDetectors(pb.ListDetectorsRequest(parent="parks/ligang"), metadata=VIEWER)).detectors


async def test_bad_detectors_name_every_field(resources: ResourcesHarness) -> None:
    stub = resources.stub
    await seed_park(stub, "ligang", units=1, foam=0)
    bad = chlorine_detector(
        kind=pb.Detector.KIND_UNSPECIFIED,
        pre_alarm_threshold=5.0,
        alarm_threshold=1.0,
        unit="furlongs",
        substance=common_pb2.Substance(name="chlorine", un_number="10x7", hazard_class="11"),
        version=3,
    )
    error = await expect_error(
        stub.CreateDetector(pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id="cl2-01", detector=bad), metadata=OPERATOR),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["detector.version"]
    bad.version = 0
    error = await expect_error(
        stub.CreateDetector(pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id="Bad Id", detector=bad), metadata=OPERATOR),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(field_violations(error)) == {
        "detector_id",
        "detector.kind",
        "detector.unit",
        "detector.pre_alarm_threshold",
        "detector.substance.un_number",
        "detector.substance.hazard_class",
    }
    gas_without_substance = chlorine_detector(substance=common_pb2.Substance())
    error = await expect_error(
        stub.CreateDetector(
            pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id="cl2-02", detector=gas_without_substance), metadata=OPERATOR
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["detector.substance.name"]
    assert not (await stub.ListDetectors(pb.ListDetectorsRequest(parent="parks/-"), metadata=VIEWER)).detectors


async def test_import_is_all_or_nothing_then_replaces_and_shows_in_snapshot(resources: ResourcesHarness) -> None:
    stub = resources.stub
    await seed_park(stub, "ligang", units=1, foam=0)
    wanted = [detector_to_pb(d) for d in demo_detectors("ligang")]
    for message in wanted:
        message.ClearField("park_id")
        message.ClearField("version")
    broken = pb.Detector()
    broken.CopyFrom(wanted[3])
    broken.unit = "?"
    stray = pb.Detector()
    stray.CopyFrom(wanted[4])
    stray.name = "parks/shengang/detectors/sg-1"
    request = pb.ImportDetectorsRequest(request_id=rid(), parent="parks/ligang", detectors=[*wanted, broken, stray])
    error = await expect_error(stub.ImportDetectors(request, metadata=LIGANG_OFFICER), grpc.StatusCode.INVALID_ARGUMENT)
    n = len(wanted)
    assert set(field_violations(error)) >= {f"detectors[{n}].unit", f"detectors[{n}].name", f"detectors[{n + 1}].name"}
    assert not (await stub.ListDetectors(pb.ListDetectorsRequest(parent="parks/ligang"), metadata=VIEWER)).detectors
    done = await stub.ImportDetectors(pb.ImportDetectorsRequest(request_id=rid(), parent="parks/ligang", detectors=wanted), metadata=LIGANG_OFFICER)
    assert (done.detectors_created, done.detectors_updated) == (len(wanted), 0)
    again = await stub.ImportDetectors(pb.ImportDetectorsRequest(request_id=rid(), parent="parks/ligang", detectors=wanted[:5]), metadata=LIGANG_OFFICER)
    assert (again.detectors_created, again.detectors_updated) == (0, 5)
    names: list[str] = []
    token = ""
    while True:
        page = await stub.ListDetectors(
            pb.ListDetectorsRequest(parent="parks/ligang", page_size=10, kind=pb.Detector.KIND_TOXIC_GAS, page_token=token), metadata=VIEWER
        )
        assert len(page.detectors) <= 10
        names += [d.name for d in page.detectors]
        token = page.next_page_token
        if not token:
            break
    assert names == sorted(d.name for d in wanted if d.kind == pb.Detector.KIND_TOXIC_GAS)
    snapshot = await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(park_ids=["ligang"]), metadata=VIEWER)
    assert len(snapshot.detectors) == len(wanted)
    assert {d.substance.name for d in snapshot.detectors} >= {"chlorine", "ammonia"}
