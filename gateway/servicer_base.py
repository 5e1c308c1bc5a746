"""What every group of the servicer's methods shares: the domain objects they call, and admitting a caller."""

from __future__ import annotations

from dataclasses import dataclass

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
from gateway.situation import Situation
from gateway.unit_status import UnitMover
from services.common.auth import Principal, require_authenticated


@dataclass(kw_only=True, eq=False)
class ServicerBase:
    """The domain objects the RPC methods call (given by keyword when the servicer is made), and the admission every method starts with."""

    reporter: Reporter
    planner: Planner
    saga: CommitSaga
    situation: Situation
    watcher: EventWatcher
    drills: DrillRunner
    limiter: RateLimiter
    config: GatewayConfig
    views: IncidentViews
    lifecycle: Lifecycle
    mover: UnitMover
    inventory: Inventory
    activity: Activity

    async def _admit(self) -> Principal:
        """An authenticated caller within its rate limit."""
        principal = require_authenticated()
        await self.limiter.check(principal)
        return principal
