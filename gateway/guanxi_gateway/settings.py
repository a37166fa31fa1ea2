"""Gateway settings, from GUANXI_GATEWAY_* environment variables."""
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from guanxi_shared.settings import ServiceSettings

SERVICES = ("registry", "segmentation", "engagement", "needs")


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    database_url: str = "sqlite:///./data/gateway.db"
    admin_api_key: str = Field(
        default="", validation_alias=AliasChoices("admin_api_key", "GUANXI_ADMIN_API_KEY"))
    # The first admin user 'admin' is created with this password when no user exists.
    admin_password: str = Field(
        default="", validation_alias=AliasChoices("admin_password", "GUANXI_ADMIN_PASSWORD"))
    registry_url: str = "http://127.0.0.1:8001"
    segmentation_url: str = "http://127.0.0.1:8002"
    engagement_url: str = "http://127.0.0.1:8003"
    needs_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 2.0

    # Identity
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    revocation_refresh_seconds: float = 2.0
    login_max_failures: int = 5
    login_lockout_seconds: float = 300.0

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

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}

    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
