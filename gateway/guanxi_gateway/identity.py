"""Turns a client's credential into a Principal, and that into the token services trust.

The hot path does no database query for a user's access token: the signature is checked (once
per token: the verified claims are kept, by the token's hash, until the token expires) and the
user's token generation (bumped on logout) is read from an in-memory table refreshed every few
seconds; logout and every other revocation work through the generation, so keeping verified
claims does not delay them. API keys are looked up once and then cached by their hash. `from_memory` answers
without any I/O whenever memory can tell, so most requests are checked on the event loop and
only a first sight of an API key or a newer token generation costs a worker thread.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time

import jwt
from sqlalchemy.orm import sessionmaker

from guanxi_shared.auth import TOKEN_TTL_SECONDS, Principal, Role, decode_token, mint_token
from guanxi_shared.errors import Unauthorized
from guanxi_shared.models import utcnow

from .background import run_every
from .domain.tokens import AccessClaims, looks_like_jwt, read_access, secret_hash, signing_key
from .settings import Settings
from .store import api_keys, users

log = logging.getLogger("guanxi.gateway.identity")
MAX_REMEMBERED = 10_000  # tokens and keys held in memory; past that, the table starts afresh


class Authenticator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.key = signing_key(settings.internal_secret)
        self.sessions: sessionmaker | None = None
        self._minted: dict[tuple, tuple[float, str]] = {}
        self._verified: dict[bytes, AccessClaims] = {}
        self._users: dict[str, tuple[int, Principal]] = {}
        self._keys: dict[str, tuple[str, Principal]] = {}
        self._used_keys: set[str] = set()
        self._admin = Principal(sub="admin", role=Role.admin, name="Administrator")

    def __call__(self, credential: str) -> Principal:
        """The principal behind a credential; may query the database (call it off the loop)."""
        principal = self._resolve(credential, may_query=True)
        assert principal is not None
        return principal

    def from_memory(self, credential: str) -> Principal | None:
        """The same answer as calling the authenticator, from memory alone: None when only the
        database can tell (an API key not seen yet, a token newer than the users table)."""
        return self._resolve(credential, may_query=False)

    def _resolve(self, credential: str, *, may_query: bool) -> Principal | None:
        admin_key = self.settings.admin_api_key
        if admin_key and hmac.compare_digest(credential.encode(), admin_key.encode()):
            return self._admin
        if looks_like_jwt(credential):
            return self._user(credential, may_query=may_query)
        return self._api_key(credential, may_query=may_query)

    def _user(self, token: str, *, may_query: bool) -> Principal | None:
        try:
            claims = self._verified_claims(token)
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired; refresh it") from None
        except jwt.InvalidSignatureError:  # not signed with the user key: maybe a service's
            return self._service(token)
        except jwt.PyJWTError:
            raise Unauthorized("The credential is not valid") from None
        known = self._users.get(claims.user_id)
        if known is None or known[0] < claims.generation:
            if not may_query:
                return None
            self.reload_users()  # a user created or logged in since the last refresh
            known = self._users.get(claims.user_id)
        if known is None or known[0] != claims.generation:
            raise Unauthorized("The access token has been revoked; log in again")
        return known[1]

    def _verified_claims(self, token: str) -> AccessClaims:
        """`read_access`, remembered: checking the signature costs more than the rest of the
        request's authentication, and the same token string always carries the same claims."""
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._verified.get(digest)
        if claims is not None and time.time() < claims.expires_at:
            return claims
        claims = read_access(token, key=self.key)  # raises, with the reason, once expired
        if len(self._verified) >= MAX_REMEMBERED:
            self._verified.clear()
        self._verified[digest] = claims
        return claims

    def _service(self, token: str) -> Principal:
        """Another service's internal token (its event dispatcher); no other role passes."""
        principal = decode_token(token, self.settings.internal_secret)
        if principal.role != Role.service:
            raise Unauthorized("The credential is not valid")
        return principal

    def _api_key(self, secret: str, *, may_query: bool) -> Principal | None:
        digest = secret_hash(secret)
        hit = self._keys.get(digest)
        if hit is None:
            if not may_query:
                return None
            with self.sessions() as session:
                key = api_keys.find_live_key(session=session, secret=secret)
            if key is None:
                raise Unauthorized("The credential is not valid")
            principal = Principal(sub=f"key:{key.id}", role=Role.integration,
                                  scopes=key.scopes.split(), name=key.name)
            hit = self._keys[digest] = (key.id, principal)
        self._used_keys.add(hit[0])
        return hit[1]

    def known_users(self) -> set[str]:
        return set(self._users)

    def generation_of(self, user_id: str) -> int:
        return self._users[user_id][0]

    def reload_users(self) -> None:
        with self.sessions() as session:
            rows = users.token_states(session=session)
        # An inactive user keeps generation -1: every token of theirs is refused.
        self._users = {uid: (gen if active else -1,
                             Principal(sub=uid, role=Role(role), team_id=team, name=name))
                       for uid, gen, active, role, team, name in rows}

    def forget_keys(self) -> None:
        self._keys = {}

    def refresh(self) -> None:
        """Periodic: revocations and role changes from other replicas, API key last use."""
        self.reload_users()
        used, self._used_keys = self._used_keys, set()
        try:
            with self.sessions() as session:
                api_keys.touch_keys(session=session, key_ids=used, at=utcnow())
                dead = api_keys.revoked_key_hashes(session=session)
        except Exception:
            self._used_keys |= used  # recorded by the next round, not lost with this one
            raise
        if dead & self._keys.keys():
            self._keys = {h: v for h, v in self._keys.items() if h not in dead}

    def start(self, sessions: sessionmaker):
        self.sessions = sessions
        self.reload_users()
        # the database may blink; the next round retries
        return run_every(self.settings.revocation_refresh_seconds, self.refresh,
                         name="identity-refresh", log=log, failure="identity refresh failed")

    def internal_token(self, principal: Principal) -> str:
        """A token for the services, reused until close to expiry (minting costs CPU)."""
        cache_key = (principal.sub, principal.role, principal.team_id, *principal.scopes)
        now = time.monotonic()
        hit = self._minted.get(cache_key)
        if hit and hit[0] > now:
            return hit[1]
        token = mint_token(principal, self.settings.internal_secret)
        if len(self._minted) > MAX_REMEMBERED:
            self._minted.clear()
        self._minted[cache_key] = (now + TOKEN_TTL_SECONDS / 2, token)
        return token
