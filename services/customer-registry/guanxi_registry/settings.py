"""Registry settings, from GUANXI_REGISTRY_* environment variables."""
from guanxi_shared.settings import service_settings


class Settings(service_settings("registry")):
    """The common settings only."""
