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
    registry_url: str = "http://127.0.0.1:8001"
    segmentation_url: str = "http://127.0.0.1:8002"
    engagement_url: str = "http://127.0.0.1:8003"
    needs_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 2.0

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}
