from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class RasSettings(ServiceSettings):
    service_name: str = Field(default="ras", description="Name of this service; also its Kafka consumer group.")
    preview_model_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long a scoring preview may use a RAS model it read before reading it again "
        "(0: every time). Stored assessments always read the database.",
    )
