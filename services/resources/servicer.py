"""ResourceService: the one servicer, assembled from the methods of each aggregate (servicer_<aggregate>.py)."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc

from services.resources.servicer_detectors import DetectorRpcs
from services.resources.servicer_exercises import ExerciseRpcs
from services.resources.servicer_parks import ParkRpcs
from services.resources.servicer_policies import PolicyRpcs
from services.resources.servicer_reservations import ReservationRpcs
from services.resources.servicer_stock import StockRpcs
from services.resources.servicer_units import UnitRpcs


class ResourceServicer(ParkRpcs, UnitRpcs, StockRpcs, PolicyRpcs, ReservationRpcs, ExerciseRpcs, DetectorRpcs, pb_grpc.ResourceServiceServicer):
    """Serves the emergency-resource library from this service's database."""
