"""Which park an incident is in: its coordinates against the parks' boundaries from the resources service."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.backends import Backends, all_pages
from services.common.errors import FieldViolation, invalid_argument
from services.common.geo import local_xy_m

# A report's coordinates may sit this far outside the named park's boundary (a jetty, a gate, a GPS error).
BOUNDARY_TOLERANCE_KM = 2.0
# A park with no recorded boundary: how far from its centre a report may be.
CENTRE_RADIUS_KM = 5.0


@dataclass(frozen=True)
class ParkShape:
    """A park's id, centre and boundary (latitude, longitude pairs)."""

    park_id: str
    centre: tuple[float, float]
    boundary: tuple[tuple[float, float], ...]

    def distance_km(self, latitude: float, longitude: float) -> float:
        """0 inside the boundary, else the distance to it (or to the centre if no boundary is recorded)."""

        def local(p: tuple[float, float]) -> tuple[float, float]:
            x, y = local_xy_m(p[0], p[1], latitude, longitude)
            return (x / 1000.0, y / 1000.0)

        if len(self.boundary) < 3:
            x, y = local(self.centre)
            return max(0.0, math.hypot(x, y) - CENTRE_RADIUS_KM)
        points = [local(p) for p in self.boundary]
        inside = False
        nearest = math.inf
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            if (y1 > 0) != (y2 > 0) and x1 - y1 * (x2 - x1) / (y2 - y1) > 0:
                inside = not inside
            dx, dy = x2 - x1, y2 - y1
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / (dx * dx + dy * dy)))
            nearest = min(nearest, math.hypot(x1 + t * dx, y1 + t * dy))
        return 0.0 if inside else nearest


def shape_of(park: rpb.Park) -> ParkShape:
    """The shape of a park message."""
    return ParkShape(
        park.name.removeprefix("parks/"), (park.location.latitude, park.location.longitude), tuple((p.latitude, p.longitude) for p in park.boundary)
    )


def resolve(parks: Sequence[ParkShape], named: str, latitude: float, longitude: float, prefix: str = "incident") -> str:
    """The park the coordinates are in: the named one if they lie in or near it, else the one containing them (or none)."""
    by_id = {p.park_id: p for p in parks}
    if named:
        park = by_id.get(named)
        if park is None:
            known = ", ".join(sorted(by_id)) or "none registered"
            raise invalid_argument([FieldViolation(f"{prefix}.park_id", f"no park {named[:64]!r} (known: {known})")])
        away = park.distance_km(latitude, longitude)
        if away > BOUNDARY_TOLERANCE_KM:
            inside = [p.park_id for p in parks if p.distance_km(latitude, longitude) == 0.0]
            hint = f"; they are inside {inside[0]}" if inside else ""
            raise invalid_argument(
                [
                    FieldViolation(
                        f"{prefix}.location.point",
                        f"({latitude:.5f}, {longitude:.5f}) is {away:.1f} km outside park {named} (at most {BOUNDARY_TOLERANCE_KM:g} km){hint}",
                    )
                ]
            )
        return named
    distances = sorted((p.distance_km(latitude, longitude), p.park_id) for p in parks)
    if distances and distances[0][0] <= BOUNDARY_TOLERANCE_KM:
        return distances[0][1]
    return ""


async def park_shapes(backends: Backends) -> list[ParkShape]:
    """Every park's shape, all pages."""
    parks = await all_pages(backends.resources.ListParks, rpb.ListParksRequest(page_size=1000), "parks")
    return [shape_of(p) for p in parks]
