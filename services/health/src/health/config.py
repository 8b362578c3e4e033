from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class HealthSettings(ServiceSettings):
    service_name: str = Field(default="health", description="Name of this service; also its Kafka consumer group.")
