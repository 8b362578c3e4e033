from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class BrokerageSettings(ServiceSettings):
    service_name: str = Field(default="brokerage", description="Name of this service; also its Kafka consumer group.")
