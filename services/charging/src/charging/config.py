from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class ChargingSettings(ServiceSettings):
    service_name: str = Field(default="charging", description="Name of this service; also its Kafka consumer group.")
    uprating_workers: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description=(
            "Workers for the annual uprating on PostgreSQL, the process running it included (the rest are "
            "helper processes it starts and ends). Unset: two for a run of 20,000 people or more where the "
            "process may use two CPUs or more, else one. Always one on SQLite."
        ),
    )
