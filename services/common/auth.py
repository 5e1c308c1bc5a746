"""Bearer-token principals: JWT minting and verification with key rotation, roles and park scope."""

from __future__ import annotations

import contextvars
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import jwt

from services.common.errors import permission_denied, unauthenticated


class Role(StrEnum):
    """What a caller may do."""

    OPERATOR = "operator"
    PARK_OFFICER = "park_officer"
    DRILL_DIRECTOR = "drill_director"
    VIEWER = "viewer"
    ALARM_INTAKE = "alarm_intake"  # the alarm intake service: reports alarm-opened incidents and adds alarms to them


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    subject: str
    role: Role
    park_id: str = ""
    token: str = ""

    @property
    def authenticated(self) -> bool:
        """True for a caller with a verified token."""
        return bool(self.subject)


ANONYMOUS = Principal(subject="", role=Role.VIEWER)

_current_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal", default=ANONYMOUS)


def current_principal() -> Principal:
    """The principal of the request being handled."""
    return _current_principal.get()


def set_current_principal(principal: Principal) -> contextvars.Token[Principal]:
    """Bind the principal for the rest of this request."""
    return _current_principal.set(principal)


def reset_current_principal(token: contextvars.Token[Principal]) -> None:
    """Unbind the principal at the end of a request."""
    _current_principal.reset(token)


def mint_token(
    secret: str, *, subject: str, role: Role | str, park_id: str = "", ttl_s: int = 3600, issuer: str = "emergency-command", now: float | None = None
) -> str:
    """Sign an HS256 token for a subject with a role (and a park for park officers)."""
    issued = int(now if now is not None else time.time())
    role = Role(role)
    if role is Role.PARK_OFFICER and not park_id:
        raise ValueError("a park officer's token must name a park")
    claims = {"sub": subject, "role": role.value, "iat": issued, "exp": issued + ttl_s, "iss": issuer}
    if park_id:
        claims["park"] = park_id
    return jwt.encode(claims, secret, algorithm="HS256")


MAX_TOKEN_LIFETIME_S = 24 * 3600
MAX_SUBJECT_CHARS = 200
MAX_PARK_CHARS = 63
CLOCK_LEEWAY_S = 60
VERIFIED_TOKENS_KEPT = 4096


class TokenVerifier:
    """Verifies tokens against the current secret and any previous ones still accepted during rotation."""

    def __init__(self, secrets: Iterable[str], issuer: str = "emergency-command", max_lifetime_s: int = MAX_TOKEN_LIFETIME_S) -> None:
        self._secrets = [s for s in secrets if s]
        if not self._secrets:
            raise ValueError("at least one signing secret is required")
        self._issuer = issuer
        self._max_lifetime_s = max_lifetime_s
        # Tokens verified already, until they expire: every call of an operator's action carries the same token
        # through several services, and checking its signature each time was a measurable share of their CPU.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """Return the token's principal or raise UNAUTHENTICATED with the reason."""
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            self._verified.move_to_end(token)
            return known[0]
        principal, expires = self._decode(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        """Check the token's signature, claims and lifetime; its principal and when it expires."""
        last_error: Exception | None = None
        for secret in self._secrets:
            try:
                claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=self._issuer, options={"require": ["sub", "exp", "iat", "role"]})
            except jwt.ExpiredSignatureError as exc:
                raise unauthenticated("TOKEN_EXPIRED", "the bearer token has expired") from exc
            except jwt.InvalidSignatureError as exc:
                last_error = exc
                continue
            except jwt.InvalidTokenError as exc:
                raise unauthenticated("TOKEN_INVALID", f"the bearer token is invalid: {exc}") from exc
            try:
                role = Role(claims["role"])
            except (ValueError, TypeError) as exc:
                raise unauthenticated("TOKEN_INVALID", f"unknown role {str(claims['role'])[:40]!r}") from exc
            self._check_lifetime(claims)
            subject, park = str(claims["sub"]), str(claims.get("park", ""))
            if not subject or len(subject) > MAX_SUBJECT_CHARS or len(park) > MAX_PARK_CHARS or "\x00" in subject + park:
                raise unauthenticated("TOKEN_INVALID", f"the token's subject must be 1 to {MAX_SUBJECT_CHARS} characters and its park at most {MAX_PARK_CHARS}")
            return Principal(subject=subject, role=role, park_id=park, token=token), float(claims["exp"])
        raise unauthenticated("TOKEN_INVALID", f"the bearer token's signature does not verify: {last_error}")

    def _check_lifetime(self, claims: dict[str, object]) -> None:
        """Refuse tokens issued in the future or living longer than the maximum lifetime."""
        now = time.time()
        try:
            issued, expires = float(claims["iat"]), float(claims["exp"])  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise unauthenticated("TOKEN_INVALID", "iat and exp must be numbers") from exc
        if issued > now + CLOCK_LEEWAY_S:
            raise unauthenticated("TOKEN_INVALID", "the token is issued in the future")
        if expires - issued > self._max_lifetime_s or expires - now > self._max_lifetime_s:
            raise unauthenticated("TOKEN_LIFETIME_TOO_LONG", f"tokens may live at most {self._max_lifetime_s} s")

    def principal_from_metadata(self, metadata: Iterable[tuple[str, str | bytes]]) -> Principal:
        """Read the bearer token from call metadata; no token means anonymous."""
        for key, value in metadata:
            if key.lower() == "authorization":
                text = value.decode() if isinstance(value, bytes) else value
                scheme, _, token = text.partition(" ")
                if scheme.lower() != "bearer" or not token:
                    raise unauthenticated("TOKEN_INVALID", "authorization metadata must be 'Bearer <token>'")
                return self.verify(token.strip())
        return ANONYMOUS


def require_authenticated() -> Principal:
    """The current principal, or UNAUTHENTICATED if there is none."""
    principal = current_principal()
    if not principal.authenticated:
        raise unauthenticated("TOKEN_MISSING", "this call needs a bearer token")
    return principal


def require_role(*roles: Role) -> Principal:
    """The current principal if it has one of the roles, else UNAUTHENTICATED or PERMISSION_DENIED."""
    principal = require_authenticated()
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise permission_denied(f"role {principal.role.value!r} may not do this (needs one of: {allowed})", {"role": principal.role.value})
    return principal
