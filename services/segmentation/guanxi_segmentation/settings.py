"""Segmentation settings, from GUANXI_SEGMENTATION_* environment variables."""
from pydantic_settings import SettingsConfigDict

from guanxi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GUANXI_SEGMENTATION_", extra="ignore")

    service_name: str = "segmentation"
    database_url: str = "sqlite:///./data/segmentation.db"

    registry_url: str = "http://127.0.0.1:8001"
    nightly_recompute_hour: int = 2
