from pydantic import Field, SecretStr

from pbshared.platform.settings import ServiceSettings


class LedgerSettings(ServiceSettings):
    service_name: str = Field(default="ledger", description="Name of this service; also its Kafka consumer group.")
    card_webhook_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="The card provider's webhook signing secret for each council, as JSON: "
        '`{"<council id>": "<secret>"}`. A council without one refuses every webhook call '
        '(docs/ledger-card-files.md, "Webhook").',
    )
    card_webhook_window_seconds: int = Field(
        default=300,
        ge=1,
        le=3600,
        description="How far a webhook call's Card-Timestamp may be from now; an older call is refused as a replay.",
    )
