"""Load the Jiangyin demo data set into a running resources service through its own API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc

from services.common.auth import Role, mint_token
from services.common.client import bearer, open_channel
from services.common.settings import Settings
from services.resources import mapping as mp
from services.resources.mapping_detectors import detector_to_pb

if TYPE_CHECKING:
    from fixtures.resources.demo import DemoDataset

SEED_SUBJECT = "demo-seed"


async def seed_dataset(
    stub: pb_grpc.ResourceServiceStub, metadata: tuple[tuple[str, str], ...], dataset: DemoDataset, parks: Sequence[str] = ()
) -> dict[str, int]:
    """Create the (selected) parks, import each one's inventory and record their agreements; parks that already hold units are left alone."""
    counts = {"parks": 0, "depots": 0, "units": 0, "stocks": 0, "agreements": 0, "skipped_parks": 0}
    prefix = f"demo-{dataset.seed}"
    chosen = set(parks) or {park.park_id for park in dataset.parks}
    for park in dataset.parks:
        if park.park_id not in chosen:
            continue
        try:
            await stub.CreatePark(
                pb.CreateParkRequest(request_id=f"{prefix}-park-{park.park_id}", park_id=park.park_id, park=mp.park_for_create(park)), metadata=metadata
            )
            counts["parks"] += 1
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
    for inventory in dataset.inventories:
        if inventory.park_id not in chosen:
            continue
        counts["detectors"] = counts.get("detectors", 0) + await seed_detectors(stub, metadata, inventory.park_id, prefix)
        present = await stub.ListUnits(pb.ListUnitsRequest(parent=f"parks/{inventory.park_id}", page_size=1), metadata=metadata)
        if present.units:
            counts["skipped_parks"] += 1
            continue
        summary = await stub.ImportInventory(
            pb.ImportInventoryRequest(
                request_id=f"{prefix}-import-{inventory.park_id}", parent=f"parks/{inventory.park_id}", rows=mp.inventory_rows(inventory)
            ),
            metadata=metadata,
        )
        counts["depots"] += summary.depots_created
        counts["units"] += summary.units_created
        counts["stocks"] += summary.stocks_received
        for agreement in inventory.mutual_aid:
            if agreement.lender_park not in chosen or agreement.borrower_park not in chosen:
                continue
            request = pb.CreateMutualAidAgreementRequest(
                request_id=f"{prefix}-aid-{agreement.lender_park}-{agreement.borrower_park}", agreement=mp.agreement_to_pb(agreement)
            )
            request.agreement.ClearField("name")
            try:
                await stub.CreateMutualAidAgreement(request, metadata=metadata)
                counts["agreements"] += 1
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                    raise
    return counts


async def seed_detectors(stub: pb_grpc.ResourceServiceStub, metadata: tuple[tuple[str, str], ...], park_id: str, prefix: str) -> int:
    """Import the park's demo detectors; return how many were created."""
    from fixtures.resources.demo_detectors import demo_detectors

    wanted = demo_detectors(park_id)
    if not wanted:
        return 0
    request = pb.ImportDetectorsRequest(request_id=f"{prefix}-detectors-{park_id}", parent=f"parks/{park_id}", detectors=[detector_to_pb(d) for d in wanted])
    for message in request.detectors:
        message.ClearField("park_id")
        message.ClearField("version")
    return int((await stub.ImportDetectors(request, metadata=metadata)).detectors_created)


async def seed_demo(settings: Settings, dataset: DemoDataset | None = None, *, parks: Sequence[str] = ()) -> str:
    """Seed the running service at its configured address as an operator; return a one-line summary."""
    from fixtures.resources.demo import build_demo

    dataset = dataset or build_demo()
    token = mint_token(settings.jwt_secret.get_secret_value(), subject=SEED_SUBJECT, role=Role.OPERATOR, issuer=settings.jwt_issuer, ttl_s=900)
    channel = open_channel(settings.address_of("resources"), default_timeout_s=120.0)
    try:
        counts = await seed_dataset(pb_grpc.ResourceServiceStub(channel), bearer(token), dataset, parks)
    finally:
        await channel.close(None)
    if counts["skipped_parks"] == len(set(parks) or dataset.parks):
        return "demo data: already present"
    return (
        f"demo data (seed {dataset.seed}): {counts['parks']} parks, {counts['depots']} depots, {counts['units']} units, "
        f"{counts['stocks']} stocks, {counts.get('detectors', 0)} detectors, {counts['agreements']} mutual-aid agreements"
    )
