"""Needs settings, from GUANXI_NEEDS_* environment variables."""
from pydantic_settings import SettingsConfigDict

from guanxi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_NEEDS_", extra="ignore")

    service_name: str = "needs"
    database_url: str = "sqlite:///./data/needs.db"
