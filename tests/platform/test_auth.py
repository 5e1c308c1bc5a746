"""Bearer tokens: roles, park scope, expiry, wrong signatures and key rotation."""

from __future__ import annotations

import time

import grpc
import pytest

from services.common.auth import Role, TokenVerifier, mint_token
from services.common.errors import ServiceError

OLD = "old-signing-secret-of-sufficient-length"
NEW = "new-signing-secret-of-sufficient-length"


def test_rotation_accepts_old_and_new_secrets_until_the_old_one_is_dropped() -> None:
    during = TokenVerifier([NEW, OLD])
    assert during.verify(mint_token(OLD, subject="a", role=Role.OPERATOR)).subject == "a"
    assert during.verify(mint_token(NEW, subject="b", role=Role.VIEWER)).role is Role.VIEWER
    after = TokenVerifier([NEW])
    with pytest.raises(ServiceError) as info:
        after.verify(mint_token(OLD, subject="a", role=Role.OPERATOR))
    assert info.value.code is grpc.StatusCode.UNAUTHENTICATED and info.value.reason == "TOKEN_INVALID"


def test_expired_tokens_and_park_officers_without_a_park() -> None:
    verifier = TokenVerifier([NEW])
    with pytest.raises(ServiceError) as info:
        verifier.verify(mint_token(NEW, subject="a", role=Role.OPERATOR, ttl_s=10, now=1_000_000))
    assert info.value.reason == "TOKEN_EXPIRED"
    with pytest.raises(ValueError):
        mint_token(NEW, subject="o", role=Role.PARK_OFFICER)
    officer = verifier.verify(mint_token(NEW, subject="o", role=Role.PARK_OFFICER, park_id="ligang"))
    assert officer.park_id == "ligang" and officer.authenticated


def test_unknown_roles_are_refused() -> None:
    import jwt

    forged = jwt.encode({"sub": "x", "role": "admin", "iat": 1, "exp": 4_000_000_000, "iss": "emergency-command"}, NEW, algorithm="HS256")
    with pytest.raises(ServiceError) as info:
        TokenVerifier([NEW]).verify(forged)
    assert info.value.reason == "TOKEN_INVALID"


def test_a_verified_token_is_remembered_only_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = TokenVerifier([NEW])
    token = mint_token(NEW, subject="a", role=Role.OPERATOR, ttl_s=600)
    first = verifier.verify(token)
    assert verifier.verify(token) is first  # the same token again: no second signature check
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    assert verifier.verify(token) is not first  # past its expiry it is checked afresh
