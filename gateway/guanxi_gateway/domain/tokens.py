"""User access tokens (JWT, 访问令牌) and opaque secrets: pure functions, no I/O."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import jwt

USER_AUDIENCE = "guanxi-clients"
USER_ISSUER = "guanxi-gateway"


def signing_key(internal_secret: str) -> bytes:
    """A key derived from the suite secret, so a user token can never pass as an internal one."""
    return hmac.new(internal_secret.encode(), b"guanxi-gateway/user-access-token",
                    hashlib.sha256).digest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    generation: int
    jti: str
    expires_at: int


def mint_access(*, key: bytes, user_id: str, generation: int, ttl: int,
                now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {"sub": user_id, "gen": generation, "jti": secrets.token_hex(8),
              "iss": USER_ISSUER, "aud": USER_AUDIENCE, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, key, algorithm="HS256")


def read_access(token: str, *, key: bytes) -> AccessClaims:
    """Raises jwt.PyJWTError (ExpiredSignatureError when expired) on any bad token."""
    claims = jwt.decode(token, key, algorithms=["HS256"], audience=USER_AUDIENCE,
                        issuer=USER_ISSUER, options={"require": ["exp", "sub", "gen", "jti"]})
    return AccessClaims(user_id=claims["sub"], generation=int(claims["gen"]),
                        jti=claims["jti"], expires_at=int(claims["exp"]))


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def secret_hash(secret: str) -> str:
    """Refresh tokens and API keys are long random strings: a plain SHA-256 is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()
