"""Where the console keeps its bearer token, and development tokens for the embedded run."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import jwt

from services.common.auth import Role, mint_token
from services.common.settings import Settings

DEFAULT_TTL_S = 12 * 3600


@dataclass(frozen=True)
class SavedToken:
    """A token and who it says the caller is."""

    token: str
    subject: str = ""
    role: str = ""
    park_id: str = ""


def token_path() -> Path:
    """$DATA_DIR/cli/token.json when DATA_DIR is set, else ~/.config/emergency/token.json."""
    data_dir = os.environ.get("DATA_DIR")
    if data_dir:
        return Path(data_dir) / "cli" / "token.json"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "emergency" / "token.json"


def describe(token: str) -> SavedToken:
    """Read the claims of a token without checking its signature (the gateway checks it)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise ValueError(f"not a JWT: {exc}") from exc
    return SavedToken(token=token, subject=str(claims.get("sub", "")), role=str(claims.get("role", "")), park_id=str(claims.get("park", "")))


def save(token: str, path: Path | None = None) -> SavedToken:
    """Store a token for later commands, readable by the owner only."""
    saved = describe(token)
    target = path or token_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(asdict(saved)))
    target.chmod(0o600)
    return saved


def load(path: Path | None = None) -> SavedToken | None:
    """The stored token, if any."""
    target = path or token_path()
    if not target.exists():
        return None
    return SavedToken(**json.loads(target.read_text()))


def mint_development_token(settings: Settings, *, subject: str, role: Role, park_id: str = "", ttl_s: int = DEFAULT_TTL_S) -> str:
    """A token signed with the configured secret; only the embedded run allows it."""
    if settings.environment != "embedded":
        raise PermissionError("development tokens are only minted in the embedded run; store a token you were issued with `emergency token --set`")
    return mint_token(settings.jwt_secret.get_secret_value(), subject=subject, role=role, park_id=park_id, ttl_s=ttl_s, issuer=settings.jwt_issuer)
