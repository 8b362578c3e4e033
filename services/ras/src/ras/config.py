from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class RasSettings(ServiceSettings):
    service_name: str = Field(default="ras", description="Name of this service; also its Kafka consumer group.")
