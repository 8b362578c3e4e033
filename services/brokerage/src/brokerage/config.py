from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class BrokerageSettings(ServiceSettings):
    service_name: str = Field(default="brokerage", description="Name of this service; also its Kafka consumer group.")
    timer_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often the worker looks for due timers (bidding deadlines, acceptance windows).",
    )
