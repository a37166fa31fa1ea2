"""Needs settings, from GUANXI_NEEDS_* environment variables."""
from guanxi_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_NEEDS_", extra="ignore")

    service_name: str = "needs"
    database_url: str = "sqlite:///./data/needs.db"
