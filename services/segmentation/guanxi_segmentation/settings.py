"""Segmentation settings, from GUANXI_SEGMENTATION_* environment variables."""
from guanxi_shared.settings import service_settings


class Settings(service_settings("segmentation")):
    nightly_recompute_hour: int = 2
