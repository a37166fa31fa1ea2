"""Gateway settings, from GUANXI_GATEWAY_* environment variables."""
from pydantic import AliasChoices, Field, field_validator

from guanxi_shared.settings import service_settings

from .domain.client_address import Network, parse_networks

SERVICES = ("registry", "segmentation", "engagement", "needs")


class Settings(service_settings("gateway")):
    admin_api_key: str = Field(
        default="", validation_alias=AliasChoices("admin_api_key", "GUANXI_ADMIN_API_KEY"))
    # The first admin user 'admin' is created with this password when no user exists.
    admin_password: str = Field(
        default="", validation_alias=AliasChoices("admin_password", "GUANXI_ADMIN_PASSWORD"))
    segmentation_url: str = "http://127.0.0.1:8002"
    engagement_url: str = "http://127.0.0.1:8003"
    needs_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 2.0

    # Identity
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    revocation_refresh_seconds: float = 2.0
    # Login throttle: an account's failures after the first `login_max_failures` make it wait
    # `login_delay_seconds`, doubled per further failure, at most `login_lockout_seconds`;
    # counts are forgotten `login_window_seconds` after the last failure. An address is refused
    # for the rest of its window after `login_max_failures_per_ip` failures over any names.
    login_max_failures: int = Field(default=5, ge=1)
    login_delay_seconds: float = Field(default=30.0, gt=0)
    login_lockout_seconds: float = Field(default=300.0, gt=0)
    login_window_seconds: float = Field(default=900.0, gt=0)
    login_max_failures_per_ip: int = Field(default=100, ge=1)
    login_max_entries: int = Field(default=10_000, ge=100)
    # Redis for rate limits and the login throttle shared by every replica (none: per process)
    redis_url: str = Field(
        default="", validation_alias=AliasChoices("redis_url", "GUANXI_REDIS_URL"))
    redis_prefix: str = "guanxi:"
    # Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed
    trusted_proxies: str = ""

    # Protection: token buckets (requests per second, burst), generous by default.
    rate_per_credential: float = 1000.0
    burst_per_credential: int = 2000
    rate_per_ip: float = 2000.0
    burst_per_ip: int = 4000
    max_body_bytes: int = 1024 * 1024
    max_import_body_bytes: int = 50 * 1024 * 1024
    cors_origins: str = ""  # comma-separated exact origins
    behind_https: bool = False

    # Audit and customer 360
    audit_flush_seconds: float = 0.5
    view_timeout_seconds: float = 2.0

    # Outbound webhooks
    webhook_interval_seconds: float = 1.0
    webhook_max_attempts: int = 8
    webhook_max_backoff_seconds: float = 3600.0
    webhook_timeout_seconds: float = 5.0

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_networks(value)  # a typo fails the start, not every client's address
        return value

    def trusted_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}

    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
