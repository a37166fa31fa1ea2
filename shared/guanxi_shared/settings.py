"""Settings read from the environment; each service's derive from `service_settings(name)`."""
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Common settings; a service's class derives from `service_settings(name)`, not this.

    `internal_secret` signs the short-lived tokens the gateway and the services pass to each
    other; it is shared by the whole suite, so it is also read from `GUANXI_INTERNAL_SECRET`.
    """

    model_config = SettingsConfigDict(env_prefix="GUANXI_", extra="ignore")

    service_name: str = "service"
    database_url: str = "sqlite:///./data/service.db"
    internal_secret: str = Field(
        default="",
        validation_alias=AliasChoices("internal_secret", "GUANXI_INTERNAL_SECRET"),
    )
    # the customer registry, for the services that call it (resync, customer context)
    registry_url: str = "http://127.0.0.1:8001"
    # "name=http://host:port,name2=http://..."; every event goes to every subscriber.
    subscribers: str = ""
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    log_level: str = "INFO"
    dispatch_interval_seconds: float = 0.5
    dispatch_batch_size: int = 500
    dispatch_max_backoff_seconds: float = 30.0
    http_timeout_seconds: float = 5.0
    run_background_jobs: bool = True
    # false where one migrations Job applies them before a rollout (Kubernetes); /readyz then
    # answers 503 while the database is behind this version's migrations
    migrate_on_start: bool = True

    def subscriber_urls(self) -> dict[str, str]:
        pairs = (item.split("=", 1) for item in self.subscribers.split(",") if "=" in item)
        return {name.strip(): url.strip().rstrip("/") for name, url in pairs}


def service_settings(name: str) -> type[ServiceSettings]:
    """The settings base of service `name`: its GUANXI_<NAME>_* variables, its name and its
    SQLite file `data/<name>.db` by default."""

    class NamedServiceSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix=f"GUANXI_{name.upper()}_")

        service_name: str = name
        database_url: str = f"sqlite:///./data/{name}.db"
    return NamedServiceSettings
