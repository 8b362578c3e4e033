from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    service_name: str = Field(default="ledger", description="Name of this service; also its Kafka consumer group.")
