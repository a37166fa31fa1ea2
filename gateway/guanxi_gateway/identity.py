"""Turns a client's credential into a Principal, and that into the token services trust."""
from __future__ import annotations

import hmac
import time

from guanxi_shared.auth import TOKEN_TTL_SECONDS, Principal, Role, mint_token
from guanxi_shared.errors import Unauthorized

from .settings import Settings


class Authenticator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._minted: dict[str, tuple[float, str]] = {}

    def __call__(self, credential: str) -> Principal:
        admin_key = self.settings.admin_api_key
        if admin_key and hmac.compare_digest(credential.encode(), admin_key.encode()):
            return Principal(sub="admin", role=Role.admin, name="Administrator")
        raise Unauthorized("The credential is not valid")

    def internal_token(self, principal: Principal) -> str:
        """A token for the services, reused until close to expiry (minting costs CPU)."""
        cache_key = principal.model_dump_json()
        now = time.monotonic()
        hit = self._minted.get(cache_key)
        if hit and hit[0] > now:
            return hit[1]
        token = mint_token(principal, self.settings.internal_secret)
        if len(self._minted) > 10_000:
            self._minted.clear()
        self._minted[cache_key] = (now + TOKEN_TTL_SECONDS / 2, token)
        return token
