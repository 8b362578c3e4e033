from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class ChargingSettings(ServiceSettings):
    service_name: str = Field(default="charging", description="Name of this service; also its Kafka consumer group.")
