"""Engagement settings, from GUANXI_ENGAGEMENT_* environment variables."""
from pydantic_settings import SettingsConfigDict

from guanxi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_ENGAGEMENT_", extra="ignore")

    service_name: str = "engagement"
    database_url: str = "sqlite:///./data/engagement.db"
