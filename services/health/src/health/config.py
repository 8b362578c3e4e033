from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class HealthSettings(ServiceSettings):
    service_name: str = Field(default="health", description="Name of this service; also its Kafka consumer group.")
    reablement_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often the worker ends reablement episodes whose free period has run out.",
    )
