"""Development login for the embedded run: pick a role, get a token signed with the suite's development secret."""

from __future__ import annotations

from typing import Any

from console.cli.credentials import mint_development_token
from console.server.errors import bad_request, error_body
from services.common.auth import Role
from services.common.settings import Settings

# The roles a person signs in with; the alarm intake is a service principal, never a console user.
ROLES = [role.value for role in Role if role is not Role.ALARM_INTAKE]
TTL_S = 12 * 3600


def mint(settings: Settings, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A token for the role, subject and park in the body; 403 outside the embedded run."""
    if settings.environment != "embedded":
        detail = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "DEVELOPMENT_LOGIN_DISABLED", "domain": "console"}
        return 403, error_body(403, "PERMISSION_DENIED", "development tokens are only minted in the embedded run; use a token from your issuer", [detail])
    role_text = str(body.get("role", ""))
    if role_text not in ROLES:
        return bad_request(f"role must be one of {', '.join(ROLES)}", "role")
    role = Role(role_text)
    park = str(body.get("parkId", "") or "")
    if role is Role.PARK_OFFICER and not park:
        return bad_request("a park officer needs a park", "parkId")
    subject = str(body.get("subject", "") or f"{role.value}{'-' + park if park else ''}")
    token = mint_development_token(settings, subject=subject, role=role, park_id=park if role is Role.PARK_OFFICER else "", ttl_s=TTL_S)
    return 200, {"token": token, "subject": subject, "role": role.value, "parkId": park if role is Role.PARK_OFFICER else ""}
