"""Case-base settings beyond the shared ones: where the shared rescue base is (CASEBASE_* variables)."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.casebase.parks import DEMO_PARKS, SHARED_DEPOT_ID, SHARED_DEPOT_PARK
from services.casebase.validation_scenario import ValidationContext
from services.common.names import DEPOT


class CasebaseOptions(BaseSettings):
    """Settings read from CASEBASE_* environment variables; bad values stop start-up."""

    model_config = SettingsConfigDict(env_prefix="CASEBASE_", extra="ignore", case_sensitive=False)

    shared_depot: str = DEPOT.format(SHARED_DEPOT_PARK, SHARED_DEPOT_ID)

    @field_validator("shared_depot")
    @classmethod
    def _check_shared_depot(cls, value: str) -> str:
        """A depot name in a known park."""
        ids = DEPOT.match(value)
        if ids is None:
            raise ValueError(f"must be {DEPOT.template}")
        if ids[0] not in DEMO_PARKS:
            raise ValueError(f"unknown park {ids[0]!r}; known: {', '.join(sorted(DEMO_PARKS))}")
        return value

    @property
    def shared_depot_park(self) -> str:
        """Park id of the shared rescue base."""
        return self._parts()[0]

    @property
    def shared_depot_id(self) -> str:
        """Depot id of the shared rescue base."""
        return self._parts()[1]

    def _parts(self) -> tuple[str, ...]:
        """The park and depot ids of the shared depot."""
        return DEPOT.parse(self.shared_depot)  # checked on construction

    def validation_context(self) -> ValidationContext:
        """What scenario uploads may refer to: the demo parks and the shared depot."""
        return ValidationContext(parks=dict(DEMO_PARKS), depots=frozenset({self.shared_depot_id}))
