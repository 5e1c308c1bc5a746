"""Case-base settings beyond the shared ones: where the shared rescue base is (CASEBASE_* variables)."""

from __future__ import annotations

import re

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.casebase.parks import DEMO_PARKS, SHARED_DEPOT_ID, SHARED_DEPOT_PARK
from services.casebase.validation_scenario import ValidationContext

DEPOT_NAME = re.compile(r"^parks/([a-z0-9][a-z0-9-]{0,62})/depots/([a-z0-9][a-z0-9-]{0,62})$")


class CasebaseOptions(BaseSettings):
    """Settings read from CASEBASE_* environment variables; bad values stop start-up."""

    model_config = SettingsConfigDict(env_prefix="CASEBASE_", extra="ignore", case_sensitive=False)

    shared_depot: str = f"parks/{SHARED_DEPOT_PARK}/depots/{SHARED_DEPOT_ID}"

    @field_validator("shared_depot")
    @classmethod
    def _check_shared_depot(cls, value: str) -> str:
        """A depot name in a known park."""
        match = DEPOT_NAME.match(value)
        if match is None:
            raise ValueError("must be parks/{park}/depots/{depot}")
        if match.group(1) not in DEMO_PARKS:
            raise ValueError(f"unknown park {match.group(1)!r}; known: {', '.join(sorted(DEMO_PARKS))}")
        return value

    @property
    def shared_depot_park(self) -> str:
        """Park id of the shared rescue base."""
        return self._parts()[0]

    @property
    def shared_depot_id(self) -> str:
        """Depot id of the shared rescue base."""
        return self._parts()[1]

    def _parts(self) -> tuple[str, str]:
        match = DEPOT_NAME.match(self.shared_depot)
        assert match is not None  # checked on construction
        return match.group(1), match.group(2)

    def validation_context(self) -> ValidationContext:
        """What scenario uploads may refer to: the demo parks and the shared depot."""
        return ValidationContext(parks=dict(DEMO_PARKS), depots=frozenset({self.shared_depot_id}))
