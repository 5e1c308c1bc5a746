"""Principals the gateway acts as when no caller is waiting: recovery after a restart, and drills in the background."""

from __future__ import annotations

from services.common.auth import Principal, Role, mint_token, set_current_principal
from services.common.deadline import set_deadline_from_remaining
from services.common.settings import Settings

SYSTEM_TOKEN_TTL_S = 24 * 3600


def system_principal(settings: Settings, *, subject: str, role: Role) -> Principal:
    """A principal with a token signed by the gateway's own secret, so backends check it like any caller's."""
    token = mint_token(settings.jwt_secret.get_secret_value(), subject=subject, role=role, ttl_s=SYSTEM_TOKEN_TTL_S, issuer=settings.jwt_issuer)
    return Principal(subject=subject, role=role, token=token)


def act_as(principal: Principal) -> None:
    """Bind the principal (and no deadline) for the rest of the current task; call it inside a fresh context."""
    set_current_principal(principal)
    set_deadline_from_remaining(None)
