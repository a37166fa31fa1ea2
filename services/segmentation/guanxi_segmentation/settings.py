"""Segmentation settings, from GUANXI_SEGMENTATION_* environment variables."""
from guanxi_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_SEGMENTATION_", extra="ignore")

    service_name: str = "segmentation"
    database_url: str = "sqlite:///./data/segmentation.db"
