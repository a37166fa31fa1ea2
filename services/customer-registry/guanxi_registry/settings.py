"""Registry settings, from GUANXI_REGISTRY_* environment variables."""
from pydantic_settings import SettingsConfigDict

from guanxi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_REGISTRY_", extra="ignore")

    service_name: str = "registry"
    database_url: str = "sqlite:///./data/registry.db"
