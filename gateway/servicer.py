"""CommandCenterService: transport only. Each method admits the caller, checks the request, authorises, calls the domain.

The methods are grouped by what they concern (`servicer_plans`, `servicer_incidents`, `servicer_parks`); this module
assembles them into the one servicer.
"""

from __future__ import annotations

from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc

from gateway.activity import Activity
from gateway.config import GatewayConfig
from gateway.drills import DrillRunner
from gateway.events import EventWatcher
from gateway.incident_views import IncidentViews
from gateway.inventory import Inventory
from gateway.lifecycle import Lifecycle
from gateway.proposals import Planner
from gateway.ratelimit import RateLimiter
from gateway.reporting import Reporter
from gateway.saga import CommitSaga
from gateway.servicer_incidents import IncidentRpcs
from gateway.servicer_parks import ParkRpcs
from gateway.servicer_plans import PlanRpcs
from gateway.situation import Situation
from gateway.unit_status import UnitMover


class CommandCenterServicer(PlanRpcs, IncidentRpcs, ParkRpcs, gpb_grpc.CommandCenterServiceServicer):
    """The public API of the suite: consoles call only this."""

    def __init__(
        self,
        *,
        reporter: Reporter,
        planner: Planner,
        saga: CommitSaga,
        situation: Situation,
        watcher: EventWatcher,
        drills: DrillRunner,
        limiter: RateLimiter,
        config: GatewayConfig,
        views: IncidentViews,
        lifecycle: Lifecycle,
        mover: UnitMover,
        inventory: Inventory,
        activity: Activity,
    ) -> None:
        self._reporter = reporter
        self._planner = planner
        self._saga = saga
        self._situation = situation
        self._watcher = watcher
        self._drills = drills
        self._limiter = limiter
        self._config = config
        self._views = views
        self._lifecycle = lifecycle
        self._mover = mover
        self._inventory = inventory
        self._activity = activity
